using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Protocol;
using Shield.Console.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// The C# SDK as the agent's client and as the upstream server, each speaking 2025-11-25 or 2026-07-28: all four
/// pairings relay the same way, and Shield speaks to the server the revision its discovery recorded.
/// </summary>
public sealed class RelayRevisionPairingsTests
{
    private const string Old = "2025-11-25";
    private const string New = "2026-07-28";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    public static TheoryData<string, string> Pairings => new() { { Old, Old }, { Old, New }, { New, Old }, { New, New } };

    [Theory]
    [MemberData(nameof(Pairings))]
    public async Task ListsCallsAndRefusals_RelayBetweenAnyClientAndServerRevision(string client, string server)
    {
        await using var relay = await RelayHarness.StartAsync(revision: server);
        ConcurrentQueue<string> received = new();
        relay.Upstream.OnCall = (request, _) =>
        {
            received.Enqueue(JsonSerializer.Serialize(request.Params!.Arguments));
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = $"looked up {request.Params.Arguments!["text"].GetString()}" }] });
        };
        var discovery = relay.Upstream.Requests.Count;
        await using var agent = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup", "crm__delete_record"), new() { ProtocolVersion = client });

        var tools = await agent.ListToolsAsync(cancellationToken: _cancel);
        var result = await agent.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "ACME" }, cancellationToken: _cancel);
        var denied = await Assert.ThrowsAnyAsync<Exception>(async () => await agent.CallToolAsync("crm__export", new Dictionary<string, object?> { ["text"] = "all" }, cancellationToken: _cancel));

        Assert.Equal(client, agent.NegotiatedProtocolVersion);
        Assert.Equal(server, (await relay.App.Services.GetRequiredService<ServerCatalog>().FindAsync("crm", _cancel))!.ProtocolRevision);
        Assert.Equal(["crm__delete_record", "crm__lookup"], tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal("looked up ACME", Assert.IsType<TextContentBlock>(Assert.Single(result.Content)).Text);
        Assert.Equal(["{\"text\":\"ACME\"}"], received);
        Assert.Contains("crm__export", denied.Message, StringComparison.Ordinal);
        // Discovery probes with server/discover; the relay speaks the revision it recorded from the first request on.
        Assert.All(relay.Upstream.Requests.Skip(discovery).Where(h => h.ContainsKey("MCP-Protocol-Version")), h => Assert.Equal(server, h["MCP-Protocol-Version"]));
        var outcomes = (await relay.TrailAsync()).Select(r => (r.EventType, r.Tool)).ToList();
        Assert.Contains(("tool-call.completed", "lookup"), outcomes);
        Assert.Contains(("tool-call.denied", "export"), outcomes);
    }
}
