using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Core.Persistence.Sqlite;

namespace Shield.Console.Auditing;

/// <summary>
/// The writer's database context, kept from one commit to the next until a failure. On SQLite its connection is held
/// open with the insert prepared once, and the file is checked to be still in place around each commit (decision 20).
/// A server database's connection is not held: one held idle there may be dropped by the network or a pooler, and fail
/// the next call's commit.
/// </summary>
internal sealed class AuditWriterContext : IDisposable
{
    private readonly AuditRecordInserter? _insert;

    private AuditWriterContext(ShieldDbContext db, AuditRecordInserter? insert) => (Db, _insert) = (db, insert);

    public ShieldDbContext Db { get; }

    /// <summary>Takes <paramref name="db"/> over, disposing of it if its connection cannot be opened.</summary>
    public static async Task<AuditWriterContext> OpenAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
        {
            return new AuditWriterContext(db, null);
        }

        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }

        return new AuditWriterContext(db, new AuditRecordInserter(db));
    }

    public Task InsertAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken) =>
        _insert?.InsertAsync(records, cancellationToken) ?? AuditRecordInserter.InsertAsync(Db, records, cancellationToken);

    /// <exception cref="IOException">The SQLite file, or its log, is no longer the one at its path.</exception>
    public void EnsureInPlace() => SqliteFileCheck.EnsureInPlace(Db.Database.GetDbConnection());

    public void Dispose()
    {
        _insert?.Dispose();
        Db.Dispose();
    }
}
