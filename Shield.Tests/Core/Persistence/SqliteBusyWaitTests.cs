using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shield.Core;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Persistence;

/// <summary>
/// SQLite waits for another connection's lock itself, up to the connection's timeout: left to Microsoft.Data.Sqlite,
/// a statement that met a lock slept 150 ms before each retry, however soon the lock was let go.
/// </summary>
public sealed class SqliteBusyWaitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryConnectionWaitsForALockWithinItsTimeout_AndABoundNarrowsTheWait()
    {
        using var folder = new TempFolder();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Shield"] = $"Data Source={Path.Combine(folder.Path, "shield.db")};Default Timeout=7",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddShieldCore(configuration, folder.Path).BuildServiceProvider();
        var contexts = services.GetRequiredService<IDbContextFactory<ShieldDbContext>>();

        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            Assert.Equal(7_000, await BusyTimeoutAsync(db));
        }

        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            DatabaseErrors.Bound(db, TimeSpan.FromSeconds(2)); // before the connection opens
            Assert.Equal(2_000, await BusyTimeoutAsync(db));
            DatabaseErrors.Bound(db, TimeSpan.FromSeconds(3)); // and while it is open
            Assert.Equal(3_000, await BusyTimeoutAsync(db));
        }

        await using (var db = await contexts.CreateDbContextAsync(Ct))
        {
            Assert.Equal(7_000, await BusyTimeoutAsync(db)); // the pooled connection is set again on opening
        }
    }

    private static async Task<long> BusyTimeoutAsync(ShieldDbContext db)
    {
        await db.Database.OpenConnectionAsync(Ct);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA busy_timeout;";
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
