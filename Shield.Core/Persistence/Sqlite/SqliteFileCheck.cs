using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Shield.Core.Persistence.Sqlite;

/// <summary>
/// Whether the database file an open SQLite connection writes is still the file at its path (SQLite's
/// <c>SQLITE_FCNTL_HAS_MOVED</c>: a stat of the path against the open file). A connection held open, as the audit
/// writer holds its own, would otherwise go on committing into a file that was moved, renamed or deleted under it,
/// records nobody would read again; this makes that an outage (fail closed) like any other store that cannot be written,
/// and clears the connection pool of the path, whose idle connections hold the old file as well.
/// </summary>
public static class SqliteFileCheck
{
    private const int HasMoved = 20; // SQLITE_FCNTL_HAS_MOVED
    private const int NotFound = 12; // SQLITE_NOTFOUND: a store without a file (in memory), which cannot move

    /// <exception cref="IOException">The file was moved, renamed or deleted since the connection opened it.</exception>
    public static void EnsureInPlace(DbConnection connection)
    {
        if (connection is not SqliteConnection { State: System.Data.ConnectionState.Open } sqlite)
        {
            return;
        }

        var moved = 0;
        var result = FileControl(sqlite.Handle!, "main", HasMoved, ref moved);
        if (moved != 0 || result is not (0 or NotFound))
        {
            // Every pooled connection to the path holds the old file too: none is handed out again.
            SqliteConnection.ClearPool(sqlite);
            throw new IOException(
                $"The SQLite database file '{sqlite.DataSource}' was moved, renamed or deleted while Shield had it open; nothing more is written to it.");
        }
    }

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control")]
    private static extern int FileControl(SQLitePCL.sqlite3 db, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int op, ref int arg);
}
