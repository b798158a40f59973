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

    private static SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS t (x); INSERT INTO t VALUES (1);";
        command.ExecuteNonQuery();
        return connection;
    }
}
