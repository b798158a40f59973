using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Registry;

/// <summary>Discovery of the npm reference server (@modelcontextprotocol/server-everything), over stdio and over HTTP.</summary>
public sealed class ReferenceServerTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    [Fact]
    public async Task OverStdio_EveryToolIsInventoried_WithPromptAndResourceCounts()
    {
        await app.StdioServerAsync("everything-stdio", "node", [NodeTools.EverythingServer, "stdio"]);

        var report = await app.DiscoverAsync("everything-stdio");

        AssertEverything(report.Succeeded, report.Error, report.Added, report.PromptCount, report.ResourceCount);
        Assert.All(await app.ToolsAsync("everything-stdio"), t => Assert.Equal(ToolState.PendingReview, t.State));
    }

    [Fact]
    public async Task OverStreamableHttp_TheSameToolsAreInventoried()
    {
        await using var server = await NodeTools.StartEverythingOverHttpAsync(TestContext.Current.CancellationToken);
        await app.HttpServerAsync("everything-http", server.Url);

        var report = await app.DiscoverAsync("everything-http");

        AssertEverything(report.Succeeded, report.Error, report.Added, report.PromptCount, report.ResourceCount);
    }

    private static void AssertEverything(bool succeeded, string? error, IReadOnlyList<string> added, int? prompts, int? resources)
    {
        Assert.True(succeeded, error);
        Assert.Contains("echo", added);
        Assert.Contains("get-sum", added);
        Assert.True(added.Count >= 10, $"only {added.Count} tools");
        Assert.True(prompts > 0);
        Assert.True(resources > 0);
    }
}
