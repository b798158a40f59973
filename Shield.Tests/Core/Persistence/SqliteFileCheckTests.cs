using Microsoft.Data.Sqlite;
using Shield.Core.Persistence.Sqlite;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Persistence;

/// <summary>A connection held open notices when its database file is no longer the one at its path, rather than write on into it.</summary>
public sealed class SqliteFileCheckTests
{
    [Theory]
    [InlineData("moved")]
    [InlineData("deleted")]
    [InlineData("replaced")]
    public void AFileMovedDeletedOrReplacedUnderAnOpenConnection_IsRefused(string how)
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        using var connection = Open($"Data Source={path};Pooling=false");
        SqliteFileCheck.EnsureInPlace(connection); // in place: nothing to say

        switch (how)
        {
            case "moved": File.Move(path, path + ".elsewhere"); break;
            case "deleted": File.Delete(path); break;
            default: File.Move(path, path + ".old"); using (Open($"Data Source={path};Pooling=false")) { } break;
        }

        var refused = Assert.Throws<IOException>(() => SqliteFileCheck.EnsureInPlace(connection));
        Assert.Contains("was moved, renamed or deleted while Shield had it open", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("moved")]
    [InlineData("deleted")]
    public void AWriteAheadLogMovedOrDeletedUnderAnOpenConnection_IsRefused(string how)
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        using var connection = OpenLogged($"Data Source={path};Pooling=false");
        SqliteFileCheck.EnsureInPlace(connection);

        if (how == "moved")
        {
            File.Move(path + "-wal", path + "-wal.elsewhere");
        }
        else
        {
            File.Delete(path + "-wal");
        }

        var refused = Assert.Throws<IOException>(() => SqliteFileCheck.EnsureInPlace(connection));
        Assert.Contains("or its write-ahead log was moved, renamed or deleted while Shield had it open", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AJournalLeftInTheDeletedLogsPlace_DoesNotHideIt()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        using var connection = OpenLogged($"Data Source={path};Pooling=false");
        SqliteFileCheck.EnsureInPlace(connection);

        File.Delete(path + "-wal");
        File.WriteAllText(path + "-journal", "");

        Assert.Throws<IOException>(() => SqliteFileCheck.EnsureInPlace(connection));
    }

    [Fact]
    public void WhatALogDeletedUnderTheConnectionHeld_IsInTheDatabaseFileOnceRefused()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        using var connection = OpenLogged($"Data Source={path};Pooling=false");
        Execute(connection, "PRAGMA wal_autocheckpoint=0; INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);"); // only in the log

        File.Delete(path + "-wal");
        Assert.Throws<IOException>(() => SqliteFileCheck.EnsureInPlace(connection));

        // A connection opened while the old one is still open starts a log of its own: it reads the database file alone.
        using var reader = new SqliteConnection($"Data Source={path};Pooling=false");
        reader.Open();
        using var count = reader.CreateCommand();
        count.CommandText = "SELECT count(*) FROM t;";
        Assert.Equal(3L, count.ExecuteScalar());
    }

    [Theory]
    [InlineData("WAL", "NORMAL")]
    [InlineData("WAL", "EXCLUSIVE")]
    [InlineData("DELETE", "NORMAL")]
    [InlineData("DELETE", "EXCLUSIVE")]
    [InlineData("TRUNCATE", "NORMAL")]
    [InlineData("TRUNCATE", "EXCLUSIVE")]
    [InlineData("PERSIST", "NORMAL")]
    [InlineData("PERSIST", "EXCLUSIVE")]
    [InlineData("MEMORY", "NORMAL")]
    [InlineData("MEMORY", "EXCLUSIVE")]
    [InlineData("OFF", "NORMAL")]
    public void ADatabaseInPlace_IsNotRefused_InAnyJournalOrLockingMode(string journal, string locking)
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        Execute(connection, $"PRAGMA locking_mode={locking}; PRAGMA journal_mode={journal}; CREATE TABLE t (x); INSERT INTO t VALUES (1);");

        Assert.Null(Record.Exception(() => SqliteFileCheck.EnsureInPlace(connection)));
        Execute(connection, "BEGIN; INSERT INTO t VALUES (2);");
        Assert.Null(Record.Exception(() => SqliteFileCheck.EnsureInPlace(connection))); // with its journal open
        Execute(connection, "COMMIT;");
        Assert.Null(Record.Exception(() => SqliteFileCheck.EnsureInPlace(connection)));
    }

    [Fact]
    public void AWriteAheadLogInPlace_ThroughCheckpointsAndOtherConnections_IsNotRefused()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        using var held = OpenLogged($"Data Source={path};Pooling=false");
        using (var other = OpenLogged($"Data Source={path};Pooling=false"))
        using (var checkpoint = other.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        } // closed, but not the last connection: the log stays

        Assert.True(File.Exists(path + "-wal"));
        Assert.Null(Record.Exception(() => SqliteFileCheck.EnsureInPlace(held)));
    }

    [Fact]
    public void OnceAMoveIsFound_ThePoolHandsOutNoConnectionToTheOldFile()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        var pooled = $"Data Source={path}";
        using (var first = Open(pooled))
        {
            File.Move(path, path + ".elsewhere");
            Assert.Throws<IOException>(() => SqliteFileCheck.EnsureInPlace(first));
        } // back to the pool

        using var next = Open(pooled); // a new file at the path

        Assert.Null(Record.Exception(() => SqliteFileCheck.EnsureInPlace(next)));
        SqliteConnection.ClearPool(next);
    }

    [Fact]
    public void ADatabaseInMemory_OrAConnectionNotOpen_HasNothingToCheck()
    {
        using var memory = Open("Data Source=:memory:");
        using var closed = new SqliteConnection("Data Source=:memory:");

        Assert.Null(Record.Exception(() => SqliteFileCheck.EnsureInPlace(memory)));
        Assert.Null(Record.Exception(() => SqliteFileCheck.EnsureInPlace(closed)));
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection OpenLogged(string connectionString) => Open(connectionString, "PRAGMA journal_mode=WAL;");

    private static SqliteConnection Open(string connectionString, string first = "")
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        Execute(connection, first + "CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (1);");
        return connection;
    }
}
