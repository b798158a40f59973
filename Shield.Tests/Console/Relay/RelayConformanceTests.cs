using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Registry;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// Fidelity by the official MCP conformance suite: its server scenarios pass against the upstream fixture directly,
/// and the relay in front of the same fixture must pass them too, except for the entries of the baseline in
/// tools/mcp-node/relay-conformance-baseline.yml, each with its reason.
/// </summary>
public sealed class RelayConformanceTests
{
    [Fact]
    public async Task TheRelay_PassesTheConformanceScenariosTheUpstreamPasses()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var fixture = await NodeTools.StartConformanceFixtureAsync(cancel);
        var direct = await NodeTools.ConformanceAsync(fixture.Url, null, cancel);
        Assert.True(direct.ExitCode == 0, "The fixture itself fails scenarios:\n" + direct.Output);

        await using var relay = await RelayHarness.StartAsync(
            new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Relay:UnqualifiedNamesForSingleServer"] = "true" } },
            async (app, _) =>
            {
                await app.HttpServerAsync("conformance", fixture.Url);
                var report = await app.DiscoverAsync("conformance");
                Assert.True(report.Succeeded, report.Error);
                var review = app.Services.GetRequiredService<ToolReview>();
                foreach (var tool in await app.ToolsAsync("conformance"))
                {
                    await review.ApproveAsync(tool.Id, tool.Fingerprint, Registrations.Admin, cancel);
                }

                await app.LowRiskAsync("conformance");
            });
        var key = await relay.AgentAsync("conformance-bot", ("conformance", Grant.AllTools, GrantEffect.Allow));
        var token = (await relay.MintAsync(key: key)).GetProperty("token").GetString()!;
        await using var proxy = await HeaderProxy.StartAsync(relay.Root, "Bearer " + token);

        var relayed = await NodeTools.ConformanceAsync(proxy.Url + "/mcp", Path.Combine(NodeTools.Folder, "relay-conformance-baseline.yml"), cancel);

        Assert.True(relayed.ExitCode == 0, "Through the relay:\n" + relayed.Output + relayed.Errors);
        Assert.Equal(Total(direct.Output), Total(relayed.Output));
    }

    // The suite's last line: "Total: 40 passed, 0 failed".
    private static string Total(string output) => output.Split('\n').Last(l => l.StartsWith("Total:", StringComparison.Ordinal)).Trim();
}
