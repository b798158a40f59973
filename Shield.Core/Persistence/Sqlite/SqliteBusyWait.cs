using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Shield.Core.Persistence.Sqlite;

/// <summary>
/// Lets SQLite itself wait for a lock another connection holds, within the connection's timeout. Left to
/// Microsoft.Data.Sqlite, a statement that meets a locked database sleeps 150 ms before each retry: the audit writer
/// that met a sink's cursor commit or the checkpointer, holding the lock for a millisecond, held up every call of its
/// batch for 150 ms (the relay's p99 with SIEM sinks on). SQLite's own busy handler retries after 1, 2, 5, 10 … ms.
/// The bound is the same: the connection's <see cref="SqliteConnection.DefaultTimeout"/>, which
/// <see cref="DatabaseErrors.Bound"/> narrows where a caller must fail fast.
/// </summary>
internal sealed class SqliteBusyWait : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    /// <summary>Sets the open connection's busy wait to its default timeout (no bound when that is 0).</summary>
    public static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection { State: System.Data.ConnectionState.Open } sqlite)
        {
            var milliseconds = sqlite.DefaultTimeout <= 0 ? int.MaxValue : (int)Math.Min(int.MaxValue, sqlite.DefaultTimeout * 1000L);
            SQLitePCL.raw.sqlite3_busy_timeout(sqlite.Handle, milliseconds);
        }
    }
}
