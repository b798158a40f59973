using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Governance;
using Shield.Console.Registry;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

public sealed class GovernanceImporterTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private GovernanceImporter Importer => app.Services.GetRequiredService<GovernanceImporter>();

    [Fact]
    public async Task ApprovedWithoutAFingerprint_TrustsTheFirstDefinitionDiscovered_AndPinsIt()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("echo", "Echoes.");
        // The import queues a discovery of the servers it created; that discovery applies the declared decision.
        await app.DiscoveryCausedByAsync("tofu", () => Importer.ImportAsync(
            Document("tofu", upstream.Url, "{ \"server\": \"tofu\", \"name\": \"echo\", \"state\": \"approved\" }"), Registrations.Admin, _cancel));

        var echo = Assert.Single(await app.ToolsAsync("tofu"));
        Assert.True(echo.Callable);
        Assert.Equal(echo.Fingerprint, echo.ApprovedFingerprint);

        upstream.Set("echo", "Echoes, and remembers everything.");
        Assert.Equal(["echo"], (await app.DiscoverAsync("tofu")).Quarantined);
    }

    [Fact]
    public async Task ApprovedWithAFingerprint_IsQuarantinedWhenTheDefinitionDiffers()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("echo", "Not what was reviewed.");
        var pinned = "sha256:" + new string('a', 64);
        await app.DiscoveryCausedByAsync("pinned", () => Importer.ImportAsync(
            Document("pinned", upstream.Url, $"{{ \"server\": \"pinned\", \"name\": \"echo\", \"state\": \"approved\", \"fingerprint\": \"{pinned}\" }}"), Registrations.Admin, _cancel));

        var echo = Assert.Single(await app.ToolsAsync("pinned"));
        Assert.Equal(ToolState.Quarantined, echo.State);
        Assert.False(echo.Callable);
        Assert.Equal(pinned, echo.ApprovedFingerprint);
    }

    [Fact]
    public async Task DecisionsApplyAtOnce_ToToolsAlreadyDiscovered_AndConsoleSecretsSurviveAReimport()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("risky", "Deletes things.");
        await app.HttpServerAsync("existing", upstream.Url, new SettingInput("Authorization", "Bearer console-secret"));
        await app.DiscoverAsync("existing");

        ImportResult? result = null;
        await app.DiscoveryCausedByAsync("existing", async () => result = await Importer.ImportAsync(Document("existing", upstream.Url,
            "{ \"server\": \"existing\", \"name\": \"risky\", \"state\": \"blocked\", \"risk\": \"critical\" }", owner: "platform"), Registrations.Admin, _cancel));

        Assert.Equal(["existing"], result!.ServersUpdated);
        Assert.Equal(["existing__risky"], result.ToolsDecided);
        var risky = Assert.Single(await app.ToolsAsync("existing"));
        Assert.Equal(ToolState.Blocked, risky.State);
        Assert.Equal(RiskLevel.Critical, risky.Risk);
        var server = (await app.Services.GetRequiredService<ServerCatalog>().FindAsync("existing", _cancel))!;
        Assert.Equal("platform", server.Owner);
        Assert.Equal([new SettingView("Authorization", null, true)], server.Headers);
        upstream.Requests.Clear();
        await app.DiscoverAsync("existing");
        Assert.Contains(upstream.Requests, headers => headers.GetValueOrDefault("Authorization") == "Bearer console-secret");
    }

    [Fact]
    public async Task ReapplyingADocument_NeverReapprovesAChangedTool_NorLiftsABlock_NorReenablesAServer()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("echo", "Echoes.");
        upstream.Set("rm", "Removes.");
        var document = Document("steady", upstream.Url,
            "{ \"server\": \"steady\", \"name\": \"echo\", \"state\": \"approved\" }, { \"server\": \"steady\", \"name\": \"rm\", \"state\": \"approved\" }")
            .Replace("\"owner\": \"tests\", ", "", StringComparison.Ordinal);
        await app.DiscoveryCausedByAsync("steady", () => Importer.ImportAsync(document, Registrations.Admin, _cancel));
        upstream.Set("echo", "Echoes, and forwards everything elsewhere.");
        Assert.Equal(["echo"], (await app.DiscoverAsync("steady")).Quarantined);
        var rm = (await app.ToolsAsync("steady")).Single(t => t.Name == "rm");
        await app.Services.GetRequiredService<ToolReview>().BlockAsync(rm.Id, Registrations.Admin, _cancel);
        await app.Services.GetRequiredService<ServerCatalog>().SetEnabledAsync("steady", false, Registrations.Admin, _cancel);

        var again = await Importer.ImportAsync(document, Registrations.Admin, _cancel);

        Assert.True(again.Applied);
        Assert.Empty(again.ToolsDecided);
        var inventory = (await app.ToolsAsync("steady")).ToDictionary(t => t.Name);
        Assert.Equal(ToolState.Quarantined, inventory["echo"].State);
        Assert.Equal(ToolState.Blocked, inventory["rm"].State);
        Assert.False((await app.Services.GetRequiredService<ServerCatalog>().FindAsync("steady", _cancel))!.Enabled);
    }

    [Fact]
    public async Task DeletingAServer_DropsItsDeclaredDecisions()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("echo", "Echoes.");
        await app.DiscoveryCausedByAsync("reused", () => Importer.ImportAsync(
            Document("reused", upstream.Url, "{ \"server\": \"reused\", \"name\": \"echo\", \"state\": \"approved\" }"), Registrations.Admin, _cancel));
        Assert.True(Assert.Single(await app.ToolsAsync("reused")).Callable);

        await app.Services.GetRequiredService<ServerCatalog>().DeleteAsync("reused", Registrations.Admin, _cancel);
        await app.HttpServerAsync("reused", upstream.Url);
        await app.DiscoverAsync("reused");

        Assert.Equal(ToolState.PendingReview, Assert.Single(await app.ToolsAsync("reused")).State);
    }

    [Fact]
    public async Task DecisionsForToolsNotYetDiscovered_AreExported()
    {
        await Importer.ImportAsync(Document("future", "https://future.example/mcp",
            "{ \"server\": \"future\", \"name\": \"later\", \"state\": \"blocked\", \"risk\": \"high\" }"), Registrations.Admin, _cancel);

        var exported = await app.Services.GetRequiredService<GovernanceExporter>().ExportAsync(_cancel);

        var later = Assert.Single(exported.Tools!, t => t.Server == "future");
        Assert.Equal(("later", "blocked", "high"), (later.Name, later.State, later.Risk));
    }

    [Fact]
    public async Task ShareSessions_IsImportedAndExported_AndADocumentWithoutItLeavesTheServerAsItIs()
    {
        var sharing = Document("pooled", "https://pooled.example/mcp", "").Replace("\"transport\"", "\"shareSessions\": true, \"transport\"", StringComparison.Ordinal);
        var catalog = app.Services.GetRequiredService<ServerCatalog>();

        Assert.True((await Importer.ImportAsync(sharing, Registrations.Admin, _cancel)).Applied);
        var exported = Assert.Single((await app.Services.GetRequiredService<GovernanceExporter>().ExportAsync(_cancel)).Servers!, s => s.Name == "pooled");
        await Importer.ImportAsync(Document("pooled", "https://pooled.example/mcp", ""), Registrations.Admin, _cancel);
        var kept = (await catalog.FindAsync("pooled", _cancel))!.ShareSessions;
        await Importer.ImportAsync(sharing.Replace("\"shareSessions\": true", "\"shareSessions\": false", StringComparison.Ordinal), Registrations.Admin, _cancel);

        Assert.True(exported.ShareSessions);
        Assert.True(kept);
        Assert.False((await catalog.FindAsync("pooled", _cancel))!.ShareSessions);
    }

    private static string Document(string server, string url, string tool, string owner = "tests") => $$"""
        {
          "version": 1,
          "servers": [ { "name": "{{server}}", "owner": "{{owner}}", "transport": "http", "url": "{{url}}" } ],
          "tools": [ {{tool}} ]
        }
        """;
}
