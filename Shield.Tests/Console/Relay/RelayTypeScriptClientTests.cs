using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Grants;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>A non-.NET client (the TypeScript SDK) through the relay: it lists, calls, and is refused what it may not use.</summary>
public sealed class RelayTypeScriptClientTests
{
    [Fact]
    public async Task TheTypeScriptSdkClient_ListsAndCallsItsTools_AndIsRefusedOthers()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync();
        var token = await relay.TokenAsync("crm__lookup");

        var (exitCode, output, errors) = await NodeTools.RunAsync("relay-client.mjs", [relay.McpUrl, "crm__lookup", """{"text":"acme"}""", "crm__export"],
            new Dictionary<string, string> { ["SHIELD_TOKEN"] = token }, cancel);

        Assert.True(exitCode == 0, errors);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.Equal(["crm__lookup"], report.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("called lookup", report.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains("not in this session's tools", report.GetProperty("refused").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTypeScriptSdkClient_IsDecidedOnTheArgumentsItSends()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync();
        var key = await relay.AgentAsync("ts-bot");
        var grant = new GrantInput(SubjectKind.Agent, "ts-bot", "crm", "lookup", GrantEffect.Allow, "args.text.startsWith('INV-')");
        Assert.Null((await relay.App.Services.GetRequiredService<GrantBook>().AddAsync(grant, Registrations.Admin, cancel)).Refusal);
        var token = (await relay.MintAsync(["crm__lookup"], key: key)).GetProperty("token").GetString()!;

        // The same tool twice: with a text that fits the condition, then with no arguments at all (the script's refused call).
        var (exitCode, output, errors) = await NodeTools.RunAsync("relay-client.mjs", [relay.McpUrl, "crm__lookup", """{"text":"INV-7"}""", "crm__lookup"],
            new Dictionary<string, string> { ["SHIELD_TOKEN"] = token }, cancel);

        Assert.True(exitCode == 0, errors);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.Equal("called lookup", report.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains("Denied: the condition of the grant agent:ts-bot → crm__lookup allow when args.text.startsWith('INV-') could not be evaluated: args.text is missing.",
            report.GetProperty("refused").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedToken_IsOneLineThatSaysSo_NotAStackTrace()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync();

        var (exitCode, output, errors) = await NodeTools.RunAsync("relay-client.mjs", [relay.McpUrl, "crm__lookup"],
            new Dictionary<string, string> { ["SHIELD_TOKEN"] = "shs_not-a-session" }, cancel);

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        var line = Assert.Single(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("relay-client: ", line, StringComparison.Ordinal);
        Assert.Contains("401", line, StringComparison.Ordinal);
    }
}
