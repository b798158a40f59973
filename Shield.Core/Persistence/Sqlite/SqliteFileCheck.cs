using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Shield.Core.Persistence.Sqlite;

/// <summary>
/// Whether the database file an open SQLite connection writes is still the file at its path (SQLite's
/// <c>SQLITE_FCNTL_HAS_MOVED</c>: a stat of the path against the open file), and whether the write-ahead log it holds
/// open (<c>SQLITE_FCNTL_JOURNAL_POINTER</c>) is still at its own path. A connection held open, as the audit writer
/// holds its own, would otherwise go on committing into a file that was moved, renamed or deleted under it: records
/// nobody would read again, or, for the log, records lost with the process. This makes that an outage (fail closed)
/// like any other store that cannot be written, copies what a log removed under it holds into the database file, and
/// clears the connection pool of the path, whose idle connections hold the old files as well. A log deleted and made
/// again at its path by another connection is not seen: SQLite opens a log without the bookkeeping
/// <c>SQLITE_FCNTL_HAS_MOVED</c> compares, so for the log the check is whether its path exists.
/// </summary>
public static class SqliteFileCheck
{
    private const int HasMoved = 20; // SQLITE_FCNTL_HAS_MOVED
    private const int JournalPointer = 28; // SQLITE_FCNTL_JOURNAL_POINTER
    private const int NotFound = 12; // SQLITE_NOTFOUND: a store without a file (in memory), which cannot move
    private const int CheckpointFull = 1; // SQLITE_CHECKPOINT_FULL

    // Each connection's journal mode, read once: Shield sets WAL when it opens the database and never changes it.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, string> LogSuffixes = [];

    /// <exception cref="IOException">The file, or the log the connection holds, was moved, renamed or deleted since it was opened.</exception>
    public static void EnsureInPlace(DbConnection connection)
    {
        if (connection is not SqliteConnection { State: System.Data.ConnectionState.Open } sqlite)
        {
            return;
        }

        var moved = 0;
        var result = FileControl(sqlite.Handle!, "main", HasMoved, ref moved);
        if (moved != 0 || result is not (0 or NotFound) || (result == 0 && LogHasMoved(sqlite)))
        {
            // Every pooled connection to the path holds the old file too: none is handed out again.
            SqliteConnection.ClearPool(sqlite);
            throw new IOException(
                $"The SQLite database file '{sqlite.DataSource}' or its write-ahead log was moved, renamed or deleted while Shield had it open; nothing more is written to it.");
        }
    }

    // A log or journal the connection holds open (SQLite keeps a write-ahead log open as long as the connection, and
    // deletes it only when the last connection to the database closes) that is no longer at its path. Its frames are
    // committed records: they are copied into the database file through this connection, which still reads them,
    // before the refusal closes the connections that hold them (a connection opened later would start a log of its own).
    private static bool LogHasMoved(SqliteConnection sqlite)
    {
        var handle = sqlite.Handle!;
        var log = IntPtr.Zero;
        if (FileControl(handle, "main", JournalPointer, ref log) != 0 || log == IntPtr.Zero || Marshal.ReadIntPtr(log) == IntPtr.Zero)
        {
            return false;
        }

        if (LogSuffixes.GetValue(handle, LogSuffix) is not { Length: > 0 } suffix || File.Exists(sqlite.DataSource + suffix))
        {
            return false;
        }

        SQLitePCL.raw.sqlite3_wal_checkpoint_v2(handle, "main", CheckpointFull, out _, out _);
        return true;
    }

    // The file the connection's mode writes besides the database: a write-ahead log, a rollback journal, or none (a
    // journal kept in memory, or none at all).
    private static string LogSuffix(SQLitePCL.sqlite3 handle)
    {
        if (SQLitePCL.raw.sqlite3_prepare_v2(handle, "PRAGMA main.journal_mode", out var statement) != 0)
        {
            return "-wal";
        }

        using (statement)
        {
            var mode = SQLitePCL.raw.sqlite3_step(statement) == SQLitePCL.raw.SQLITE_ROW ? SQLitePCL.raw.sqlite3_column_text(statement, 0).utf8_to_string() : "wal";
            return mode.ToUpperInvariant() switch
            {
                "WAL" => "-wal",
                "MEMORY" or "OFF" => "",
                _ => "-journal",
            };
        }
    }

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control")]
    private static extern int FileControl(SQLitePCL.sqlite3 db, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int op, ref int arg);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_file_control")]
    private static extern int FileControl(SQLitePCL.sqlite3 db, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int op, ref IntPtr arg);
}
