using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Registry;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Registry;

public abstract class DiscoveryRefresherSuite
{
    protected virtual PostgresServer? Postgres => null;

    [Fact]
    public async Task EveryEnabledServer_IsDiscoveredAgain_WhenTheIntervalHasPassed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new ShieldAppFactory { Postgres = Postgres, TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)) };
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("first", "The first tool.");
        await app.HttpServerAsync("scheduled", upstream.Url);
        var disabled = await app.HttpServerAsync("switched-off", upstream.Url);
        await app.Services.GetRequiredService<ServerCatalog>().SetEnabledAsync(disabled.Name, false, Registrations.Admin, TestContext.Current.CancellationToken);
        var discovery = app.Services.GetRequiredService<DiscoveryService>();
        var completed = new TaskCompletionSource<DiscoveryReport>(TaskCreationOptions.RunContinuationsAsynchronously);
        discovery.Completed += report => completed.TrySetResult(report);

        time.Advance(TimeSpan.FromMinutes(15));
        var report = await completed.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal("scheduled", report.Server);
        Assert.Equal(["first"], report.Added);
        Assert.Empty(await app.ToolsAsync("switched-off"));
        Assert.Null((await app.Services.GetRequiredService<ServerCatalog>().FindAsync("switched-off", TestContext.Current.CancellationToken))!.LastDiscoveryAtUtc);
        Assert.Equal(ToolState.PendingReview, (await app.ToolsAsync("scheduled")).Single().State);
    }
}

public sealed class DiscoveryRefresherTests : DiscoveryRefresherSuite;

[Collection(PostgresCollection.Name)]
public sealed class DiscoveryRefresherOnPostgresTests(PostgresServer postgres) : DiscoveryRefresherSuite
{
    protected override PostgresServer? Postgres => postgres;
}
