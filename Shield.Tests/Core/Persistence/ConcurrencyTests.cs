using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Persistence;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task TwoSavesOfTheSameTool_FromStaleCopies_DoNotBothWin()
    {
        await using var app = new ShieldAppFactory();
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("contested", "Contested.");
        await app.HttpServerAsync("contested", upstream.Url);
        await app.DiscoverAsync("contested");
        var contexts = app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>();
        await using var first = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        await using var second = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var a = await first.Tools.SingleAsync(t => t.Name == "contested", TestContext.Current.CancellationToken);
        var b = await second.Tools.SingleAsync(t => t.Name == "contested", TestContext.Current.CancellationToken);

        a.State = ToolState.Blocked;
        await first.SaveChangesAsync(TestContext.Current.CancellationToken);
        b.State = ToolState.Quarantined;

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync(TestContext.Current.CancellationToken));
    }
}
