using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Registry;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Registry;

/// <summary>What discovery refuses to take from a server: definitions Shield cannot serve, oversized answers, endless history.</summary>
public sealed class DiscoveryLimitsTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private readonly ShieldAppFactory _app = new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Shield:Registry:MaxListBytes"] = "4096",
            ["Shield:Registry:MaxDefinitionsPerTool"] = "3",
        },
    };

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ToolsShieldCannotServe_AreRejectedWithTheReason_AndAnApprovedOneThatTurnsSoIsNoLongerCallable()
    {
        var broken = false;
        await using var upstream = await MisbehavingMcpServer.StartAsync(_ => new JsonObject
        {
            ["tools"] = new JsonArray(
                broken ? Tool("search", annotations: new JsonObject { ["readOnlyHint"] = "yes" }) : Tool("search"),
                Tool("fine"),
                Tool("scalar", schema: new JsonObject { ["type"] = "string" }),
                Tool("headers", schema: new JsonObject
                {
                    ["type"] = "object",
                    ["properties"] = new JsonObject { ["region"] = new JsonObject { ["type"] = "string", ["x-mcp-header"] = 5 } },
                })),
        });
        await _app.HttpServerAsync("odd", upstream.Url);
        await _app.ApproveDiscoveredAsync("odd");

        broken = true;
        var report = await _app.DiscoverAsync("odd");

        Assert.True(report.Succeeded, report.Error);
        var reasons = report.Rejected.ToDictionary(r => r.Name, r => r.Reason);
        Assert.Equal(["headers", "scalar", "search"], reasons.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("its inputSchema is not a JSON Schema object whose \"type\" is \"object\"", reasons["scalar"], StringComparison.Ordinal);
        Assert.Contains("x-mcp-header on property 'region' is not a string", reasons["headers"], StringComparison.Ordinal);
        Assert.Contains("the value at $.readOnlyHint has the wrong JSON type", reasons["search"], StringComparison.Ordinal);
        var tools = await _app.ToolsAsync("odd");
        Assert.Equal((ToolState.Approved, true), tools.Where(t => t.Name == "fine").Select(t => (t.State, t.Callable)).Single());
        var search = tools.Single(t => t.Name == "search");
        Assert.False(search.Callable);
        var page = await _app.Services.GetRequiredService<ToolReview>().DetailAsync(search.Id, _cancel);
        Assert.Contains("last discovery listed this tool with a definition Shield refused", page!.Unservable, StringComparison.Ordinal);
        Assert.Contains("$.readOnlyHint", page.Unservable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToolsListAnswerOverTheLimit_FailsTheDiscovery_NamingTheSetting()
    {
        await using var upstream = await MisbehavingMcpServer.StartAsync(_ => new JsonObject
        {
            ["tools"] = new JsonArray(MisbehavingMcpServer.Tool("verbose", new string('x', 5_000))),
        });
        await _app.HttpServerAsync("verbose", upstream.Url);

        var report = await _app.DiscoverAsync("verbose");

        Assert.False(report.Succeeded);
        Assert.Contains("Shield:Registry:MaxListBytes", report.Error, StringComparison.Ordinal);
        Assert.Empty(await _app.ToolsAsync("verbose"));
    }

    [Fact]
    public async Task AToolsHistory_KeepsItsApprovedAndCurrentDefinitions_AndNoMoreThanTheLimit()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("shifty", "Version 0.");
        await _app.HttpServerAsync("shifty", upstream.Url);
        await _app.ApproveDiscoveredAsync("shifty");
        var approved = (await _app.ToolsAsync("shifty")).Single().Fingerprint;

        for (var version = 1; version <= 5; version++)
        {
            upstream.Set("shifty", $"Version {version}.");
            Assert.True((await _app.DiscoverAsync("shifty")).Succeeded);
        }

        var tool = (await _app.ToolsAsync("shifty")).Single();
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var history = await db.ToolDefinitions.Where(d => d.ToolId == tool.Id).OrderBy(d => d.Id).ToListAsync(_cancel);
        Assert.Equal(3, history.Count);
        Assert.Equal(approved, history[0].Fingerprint);
        Assert.Equal(tool.Fingerprint, history[^1].Fingerprint);
        Assert.Contains("Version 4.", history[1].Definition, StringComparison.Ordinal);
    }

    private static JsonObject Tool(string name, JsonObject? schema = null, JsonObject? annotations = null)
    {
        var tool = MisbehavingMcpServer.Tool(name);
        if (schema is not null)
        {
            tool["inputSchema"] = schema;
        }

        if (annotations is not null)
        {
            tool["annotations"] = annotations;
        }

        return tool;
    }
}
