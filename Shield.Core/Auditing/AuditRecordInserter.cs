using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shield.Core.Auditing;

/// <summary>
/// Inserts a batch of audit records with one prepared statement in the caller's transaction. Change tracking costs
/// more than the insert itself at audit volumes, so the writer bypasses it; columns, names and value conversions still
/// come from the EF Core model, so the statement fits whichever provider is configured.
/// </summary>
public static class AuditRecordInserter
{
    public static async Task InsertAsync(DbContext db, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var entity = db.Model.FindEntityType(typeof(AuditRecord))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var properties = entity.GetProperties().ToArray();
        var getters = properties.Select(p => p.GetGetter()).ToArray();
        var converters = properties.Select(p => p.GetRelationalTypeMapping().Converter).ToArray();

        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (db.Database.GetCommandTimeout() is { } timeout)
        {
            command.CommandTimeout = timeout;
        }

        for (var i = 0; i < properties.Length; i++)
        {
            var mapping = (RelationalTypeMapping)properties[i].GetRelationalTypeMapping();
            var parameter = mapping.CreateParameter(command, sql.GenerateParameterName($"p{i}"), null, properties[i].IsNullable);
            // Made without a value, a string parameter gets a fixed size some providers truncate to in silence (SQL
            // Server: 4000 for nvarchar(max)). Unbounded (-1), nothing is cut: a value too long for its column is an error.
            if (parameter.DbType is System.Data.DbType.String or System.Data.DbType.AnsiString)
            {
                parameter.Size = -1;
            }

            command.Parameters.Add(parameter);
        }

        command.CommandText = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
            $"({string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
            $"VALUES ({string.Join(", ", command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => p.ParameterName))})";
        await command.PrepareAsync(cancellationToken);
        foreach (var record in records)
        {
            for (var i = 0; i < getters.Length; i++)
            {
                var value = getters[i].GetClrValue(record);
                command.Parameters[i].Value = value is null ? DBNull.Value : converters[i]?.ConvertToProvider(value) ?? value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
