using Microsoft.Data.Sqlite;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Takes an app's SQLite database away until disposed: its folder becomes a plain file, so no connection can open it.
/// </summary>
public sealed class DatabaseOutage : IDisposable
{
    private readonly string _folder;

    private DatabaseOutage(string folder)
    {
        _folder = folder;
        SqliteConnection.ClearAllPools();
        Directory.Move(folder, folder + ".gone");
        File.WriteAllText(folder, "not a folder");
    }

    public static DatabaseOutage Begin(ShieldAppFactory app) => new(app.Folder);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_folder);
        Directory.Move(_folder + ".gone", _folder);
    }
}
