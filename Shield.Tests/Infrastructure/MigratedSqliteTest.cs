using Microsoft.EntityFrameworkCore;
using Shield.Core.Persistence.Sqlite;

namespace Shield.Tests.Infrastructure;

/// <summary>A test on a migrated SQLite database of Shield's, in a folder of its own and without the app; removed afterwards.</summary>
public abstract class MigratedSqliteTest : IAsyncLifetime
{
    private readonly TempFolder _folder = new();

    protected SqliteShieldDbContext Db { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Db = StoppedTrail.Open(_folder);
        await Db.Database.MigrateAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        _folder.Dispose();
        GC.SuppressFinalize(this);
    }
}
