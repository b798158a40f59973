using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Shield.Core.Persistence;

/// <summary>Tells the database errors Shield handles apart, whichever provider raised them.</summary>
public static class DatabaseErrors
{
    /// <summary>
    /// A unique key was taken first: for the audit writer, another instance extended the chain (or chained the same
    /// governance change) before it, which is worth one more try after the new head.
    /// </summary>
    public static bool IsUniqueViolation(Exception error) => Causes(error).Any(e => e switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 1555 or 2067,
        Microsoft.Data.SqlClient.SqlException sql => sql.Number is 2627 or 2601,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    });

    /// <summary>The store was locked, busy or did not answer in time.</summary>
    public static bool IsTimeout(Exception error) => Causes(error).Any(e => e switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        Microsoft.Data.SqlClient.SqlException sql => sql.Number == -2,
        PostgresException postgres => postgres.SqlState is PostgresErrorCodes.QueryCanceled or PostgresErrorCodes.LockNotAvailable,
        TimeoutException or OperationCanceledException => true,
        _ => false,
    });

    /// <summary>
    /// Bounds how long each command of this context may wait, for a lock above all: SQLite's connection-level wait
    /// (which covers <c>BEGIN IMMEDIATE</c>) and every provider's command timeout, in whole seconds (at least one).
    /// Npgsql enforces the command timeout itself: it asks the server to cancel the statement, which then fails with
    /// <c>query_canceled</c>.
    /// </summary>
    public static void Bound(DbContext db, TimeSpan limit)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(limit.TotalSeconds));
        db.Database.SetCommandTimeout(seconds);
        if (db.Database.GetDbConnection() is SqliteConnection sqlite)
        {
            sqlite.DefaultTimeout = seconds;
            Sqlite.SqliteBusyWait.Apply(sqlite); // when already open; otherwise on opening
        }
    }

    private static IEnumerable<Exception> Causes(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
