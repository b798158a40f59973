using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Shield.Core.Auditing;

/// <summary>
/// Inserts batches of audit records with one prepared statement in the caller's transaction. Change tracking costs
/// more than the insert itself at audit volumes, so the writer bypasses it; columns, names and value conversions still
/// come from the EF Core model, so the statement fits whichever provider is configured. The statement is built once
/// per model and prepared once per inserter: one kept for the life of a context whose connection stays open (the
/// writer's) pays only for its rows.
/// </summary>
public sealed class AuditRecordInserter(DbContext db) : IDisposable
{
    private static readonly ConditionalWeakTable<IModel, Plan> Plans = [];
    private readonly Plan _plan = Plans.GetValue(db.Model, _ => new Plan(db));
    private DbCommand? _command;

    /// <summary>Inserts one batch with a statement prepared for it alone.</summary>
    public static async Task InsertAsync(DbContext db, IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        using var once = new AuditRecordInserter(db);
        await once.InsertAsync(records, cancellationToken);
    }

    public async Task InsertAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        var prepare = _command is null;
        _command ??= _plan.CreateCommand(db.Database.GetDbConnection(), db.Database.GetCommandTimeout());
        _command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction(); // each batch's own
        if (prepare)
        {
            await _command.PrepareAsync(cancellationToken);
        }

        foreach (var record in records)
        {
            _plan.Bind(_command, record);
            await _command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public void Dispose() => _command?.Dispose();

    private sealed class Plan
    {
        private readonly string _sql;
        private readonly IProperty[] _properties;
        private readonly IClrPropertyGetter[] _getters;
        private readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter?[] _converters;
        private readonly string[] _parameterNames;

        public Plan(DbContext db)
        {
            var entity = db.Model.FindEntityType(typeof(AuditRecord))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            _properties = [.. entity.GetProperties()];
            _getters = [.. _properties.Select(p => p.GetGetter())];
            _converters = [.. _properties.Select(p => p.GetRelationalTypeMapping().Converter)];
            _parameterNames = [.. _properties.Select((_, i) => sql.GenerateParameterName($"p{i}"))];
            _sql = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} " +
                $"({string.Join(", ", _properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)))}) " +
                $"VALUES ({string.Join(", ", _parameterNames)})";
        }

        public DbCommand CreateCommand(DbConnection connection, int? timeout)
        {
            var command = connection.CreateCommand();
            if (timeout is { } seconds)
            {
                command.CommandTimeout = seconds;
            }

            for (var i = 0; i < _properties.Length; i++)
            {
                var mapping = (RelationalTypeMapping)_properties[i].GetRelationalTypeMapping();
                var parameter = mapping.CreateParameter(command, _parameterNames[i], null, _properties[i].IsNullable);
                // Made without a value, a string parameter gets a fixed size some providers truncate to in silence (SQL
                // Server: 4000 for nvarchar(max)). Unbounded (-1), nothing is cut: a value too long for its column is an error.
                if (parameter.DbType is System.Data.DbType.String or System.Data.DbType.AnsiString)
                {
                    parameter.Size = -1;
                }

                command.Parameters.Add(parameter);
            }

            command.CommandText = _sql;
            return command;
        }

        public void Bind(DbCommand command, AuditRecord record)
        {
            for (var i = 0; i < _getters.Length; i++)
            {
                var value = _getters[i].GetClrValue(record);
                command.Parameters[i].Value = value is null ? DBNull.Value : _converters[i]?.ConvertToProvider(value) ?? value;
            }
        }
    }
}
