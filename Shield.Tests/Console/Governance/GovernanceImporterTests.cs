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
        Assert.Equal(["existing/risky"], result.ToolsDecided);
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

    private static string Document(string server, string url, string tool, string owner = "tests") => $$"""
        {
          "version": 1,
          "servers": [ { "name": "{{server}}", "owner": "{{owner}}", "transport": "http", "url": "{{url}}" } ],
          "tools": [ {{tool}} ]
        }
        """;
}
