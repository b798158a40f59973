using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Shield.Core.Persistence;

/// <summary>
/// Named locks held until the current transaction ends, so that instances sharing one database take turns at work that
/// must not interleave (extending the audit chain). On PostgreSQL an advisory lock (<c>pg_advisory_xact_lock</c>), which
/// waits within the command timeout like any other lock; on SQL Server an application lock owned by the transaction
/// (<c>sp_getapplock</c>), likewise; on SQLite nothing is needed, since a write transaction already excludes every
/// other writer.
/// </summary>
public static class TransactionLocks
{
    /// <summary>Waits for the lock named <paramref name="name"/>; it is released when the open transaction ends.</summary>
    public static async Task TakeAsync(DatabaseFacade database, string name, CancellationToken cancellationToken)
    {
        if (database.IsNpgsql())
        {
            await database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PostgreSqlKey(name)})", cancellationToken);
        }
        else if (database.IsSqlServer())
        {
            // Waits as long as the command may; a lock not granted (timed out, chosen as a deadlock's victim) fails the
            // transaction, which the caller tries again, rather than letting it go on unlocked.
            await database.ExecuteSqlRawAsync(SqlServerTake, [name], cancellationToken);
        }
    }

    /// <summary>What takes the lock on SQL Server; its one parameter is the lock's name.</summary>
    public const string SqlServerTake =
        "DECLARE @granted int; " +
        "EXEC @granted = sp_getapplock @Resource = {0}, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1; " +
        "IF @granted < 0 THROW 51000, 'The lock was not granted.', 1;";

    /// <summary>The advisory lock's number for <paramref name="name"/>: the first eight bytes of its SHA-256.</summary>
    public static long PostgreSqlKey(string name) => BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}
