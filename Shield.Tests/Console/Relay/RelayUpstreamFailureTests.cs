using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Console.Registry;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>A failing upstream costs its callers a clear error, backs off, restarts, and never affects another server.</summary>
public sealed class RelayUpstreamFailureTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnUnreachableServer_FailsClearly_BacksOff_AndLeavesOtherServersWorking()
    {
        var hr = await UpstreamServer.StartAsync();
        await using var relay = await RelayHarness.StartAsync(register: async (app, crm) =>
        {
            await RelayHarness.RegisterCrmAsync(app, crm);
            await app.ApprovedToolsAsync("hr", hr, "lookup");
            await app.LowRiskAsync("hr");
        });
        var key = await relay.AgentAsync("two-servers", ("crm", "lookup", GrantEffect.Allow), ("hr", "lookup", GrantEffect.Allow));
        await using var client = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);
        await hr.DisposeAsync();

        var first = await Assert.ThrowsAsync<McpProtocolException>(async () => await CallAsync(client, "hr__lookup"));
        var crm = await CallAsync(client, "crm__lookup");
        var second = await Assert.ThrowsAsync<McpProtocolException>(async () => await CallAsync(client, "hr__lookup"));

        Assert.Contains("The server hr is unavailable", first.Message, StringComparison.Ordinal);
        Assert.Equal("called lookup", Assert.IsType<TextContentBlock>(crm.Content[0]).Text);
        Assert.Contains("Shield tries it again after", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStdioServerThatCrashes_FailsTheCallInFlightClearly_AndIsRestartedForTheNextCall()
    {
        await using var relay = await RelayHarness.StartAsync(
            new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Relay:UpstreamRetryDelay"] = "00:00:00.001" } },
            (app, _) => RegisterFlakyAsync(app));
        var key = await relay.AgentAsync("flaky-bot", ("flaky", Grant.AllTools, GrantEffect.Allow));
        await using var client = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);

        var before = Text(await CallAsync(client, "flaky__echo"));
        var crashed = await Assert.ThrowsAsync<McpProtocolException>(async () => await CallAsync(client, "flaky__crash"));
        var after = Text(await CallAsync(client, "flaky__echo"));

        Assert.Contains("The server flaky failed while handling the call", crashed.Message, StringComparison.Ordinal);
        Assert.StartsWith("echo: x", after, StringComparison.Ordinal);
        Assert.NotEqual(before, after); // another process: its pid differs
    }

    [Fact]
    public async Task OneAgentCrashingItsStdioProcess_BacksOffOnlyItsOwnSession()
    {
        await using var relay = await RelayHarness.StartAsync(
            new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Relay:UpstreamRetryDelay"] = "00:05:00", ["Shield:Relay:UpstreamMaxRetryDelay"] = "00:05:00" } },
            (app, _) => RegisterFlakyAsync(app));
        var key = await relay.AgentAsync("flaky-bot", ("flaky", Grant.AllTools, GrantEffect.Allow));
        await using var crasher = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);

        // Crash until the crash is on record: the session's next call is then refused without starting a process.
        McpProtocolException? backingOff = null;
        for (var attempt = 0; attempt < 20 && backingOff is null; attempt++)
        {
            await Assert.ThrowsAsync<McpProtocolException>(async () => await CallAsync(crasher, "flaky__crash"));
            try
            {
                await CallAsync(crasher, "flaky__echo");
            }
            catch (McpProtocolException e) when (e.Message.Contains("Shield tries it again after", StringComparison.Ordinal))
            {
                backingOff = e;
            }
        }

        await using var other = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);
        var echoed = await CallAsync(other, "flaky__echo");

        Assert.NotNull(backingOff);
        Assert.StartsWith("echo: x", Text(echoed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStdioResultOverTheLimit_IsNotPassedOn_AndTheProcessServesTheNextCall()
    {
        await using var relay = await RelayHarness.StartAsync(
            new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Relay:MaxResultBytes"] = "1024" } }, (app, _) => RegisterFlakyAsync(app));
        var key = await relay.AgentAsync("flaky-bot", ("flaky", Grant.AllTools, GrantEffect.Allow));
        await using var client = await relay.ConnectAsync((await relay.MintAsync(key: key)).GetProperty("token").GetString()!);

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("flaky__echo", new Dictionary<string, object?> { ["text"] = new string('x', 2_000) }, cancellationToken: _cancel));
        var next = await CallAsync(client, "flaky__echo");

        Assert.Contains("Shield:Relay:MaxResultBytes", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("echo: x", Text(next), StringComparison.Ordinal);
    }

    /// <summary>The crash fixture as stdio server "flaky", its tools approved at low risk.</summary>
    internal static async Task RegisterFlakyAsync(ShieldAppFactory app)
    {
        await app.StdioServerAsync("flaky", "node", [Path.Combine(NodeTools.Folder, "crash-fixture.mjs")]);
        Assert.True((await app.DiscoverAsync("flaky")).Succeeded);
        var review = app.Services.GetRequiredService<ToolReview>();
        foreach (var tool in await app.ToolsAsync("flaky"))
        {
            await review.ApproveAsync(tool.Id, tool.Fingerprint, Registrations.Admin, TestContext.Current.CancellationToken);
        }

        await app.LowRiskAsync("flaky");
    }

    private static string Text(CallToolResult result) => Assert.IsType<TextContentBlock>(result.Content[0]).Text;

    private Task<CallToolResult> CallAsync(ModelContextProtocol.Client.McpClient client, string tool) =>
        client.CallToolAsync(tool, new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: _cancel).AsTask();
}
