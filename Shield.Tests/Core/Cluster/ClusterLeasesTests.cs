using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Core.Cluster;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Cluster;

/// <summary>
/// Two instances on one database (a shared folder) and one fake clock: a lease has one holder at a time, its holder
/// renews it, and it passes on when it lapses or is given up.
/// </summary>
public abstract class ClusterLeasesSuite
{
    private static readonly TimeSpan Length = TimeSpan.FromMinutes(1);
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    protected virtual PostgresServer? Postgres => null;

    [Fact]
    public async Task OnlyItsHolder_RenewsALease_AndADeadHoldersLeasePassesOnOnceItLapses()
    {
        using var folder = new TempFolder();
        await using var a = Instance("shield-a", folder);
        await using var b = Instance("shield-b", folder);
        var (first, second) = (Leases(a), Leases(b));

        Assert.True(await first.TryHoldAsync("job", Length, _cancel));
        Assert.False(await second.TryHoldAsync("job", Length, _cancel));
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.True(await first.TryHoldAsync("job", Length, _cancel)); // renewed until 1:50
        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.False(await second.TryHoldAsync("job", Length, _cancel));
        Assert.Equal("shield-a", await second.HolderOfAsync("job", _cancel));

        _time.Advance(TimeSpan.FromSeconds(10)); // the holder died: nobody renewed it
        Assert.Null(await second.HolderOfAsync("job", _cancel));
        Assert.True(await second.TryHoldAsync("job", Length, _cancel));
        Assert.False(await first.TryHoldAsync("job", Length, _cancel));
        Assert.Equal("shield-b", await first.HolderOfAsync("job", _cancel));
    }

    [Fact]
    public async Task AGivenUpLease_PassesOnAtOnce_AndOnlyItsHolderCanGiveItUp()
    {
        using var folder = new TempFolder();
        await using var a = Instance("shield-a", folder);
        await using var b = Instance("shield-b", folder);
        var (first, second) = (Leases(a), Leases(b));
        Assert.True(await first.TryHoldAsync("job", Length, _cancel));

        await second.ReleaseAsync("job", _cancel);
        Assert.False(await second.TryHoldAsync("job", Length, _cancel));

        await first.ReleaseAsync("job", _cancel);
        Assert.True(await second.TryHoldAsync("job", Length, _cancel));
    }

    [Fact]
    public async Task InstancesRacingForFreeLeases_GetEachOneOnce()
    {
        using var folder = new TempFolder();
        await using var a = Instance("shield-a", folder);
        await using var b = Instance("shield-b", folder);
        var names = Enumerable.Range(0, 10).Select(i => $"race-{i}").ToList();

        var won = await Task.WhenAll(names.SelectMany(name => new[] { Leases(a), Leases(b) }.Select(leases => leases.TryHoldAsync(name, Length, _cancel))));

        Assert.Equal(names.Count, won.Count(held => held));
        foreach (var name in names)
        {
            Assert.NotNull(await Leases(a).HolderOfAsync(name, _cancel));
        }
    }

    private ShieldAppFactory Instance(string name, TempFolder folder) => new()
    {
        Postgres = Postgres,
        DataDirectory = folder.Path,
        Settings = new Dictionary<string, string?> { ["Shield:Cluster:InstanceName"] = name },
        TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)),
    };

    private static ClusterLeases Leases(ShieldAppFactory app) => app.Services.GetRequiredService<ClusterLeases>();
}

public sealed class ClusterLeasesTests : ClusterLeasesSuite;

[Collection(PostgresCollection.Name)]
public sealed class ClusterLeasesOnPostgresTests(PostgresServer postgres) : ClusterLeasesSuite
{
    protected override PostgresServer? Postgres => postgres;
}
