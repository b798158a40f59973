// The relay serves the 2025-11-25 revision, whose sampling the SDK marks obsolete for later revisions.
#pragma warning disable MCP9005

using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// The relay fronting the npm reference server, over stdio and over streamable HTTP, driven by the C# SDK client:
/// granted tools work, others are neither listed nor callable, and the server's requests come back to the agent.
/// </summary>
public sealed class RelayReferenceServerTests
{
    private static readonly string[] Granted = ["echo", "get-structured-content", "trigger-sampling-request", "trigger-elicitation-request"];
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task OverStdio_GrantedToolsWork_OthersAreNeitherListedNorCallable_PromptsAndResourcesPassThrough()
    {
        await using var relay = await RelayHarness.StartAsync(register: (app, _) => RegisterAsync(app, () => app.StdioServerAsync("everything", "node", [NodeTools.EverythingServer, "stdio"])));
        await using var client = await relay.ConnectAsync(await TokenAsync(relay), AgentOptions());

        var tools = (await client.ListToolsAsync(cancellationToken: _cancel)).Select(t => t.Name).ToList();
        var echo = await client.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "hello through Shield" }, cancellationToken: _cancel);
        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.CallToolAsync("everything__get-sum", new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 }, cancellationToken: _cancel));
        var prompts = await client.ListPromptsAsync(cancellationToken: _cancel);
        var prompt = await client.GetPromptAsync("everything__simple-prompt", cancellationToken: _cancel);
        var resources = await client.ListResourcesAsync(cancellationToken: _cancel);
        var read = await client.ReadResourceAsync(resources[0].Uri, cancellationToken: _cancel);

        Assert.Equal(Granted.Select(t => "everything__" + t).Order(StringComparer.Ordinal), tools);
        Assert.Contains("hello through Shield", Assert.IsType<TextContentBlock>(echo.Content[0]).Text, StringComparison.Ordinal);
        Assert.Contains("not in this session's tools", refused.Message, StringComparison.Ordinal);
        Assert.Contains(prompts, p => p.Name == "everything__simple-prompt");
        Assert.NotEmpty(prompt.Messages);
        Assert.NotEmpty(read.Contents);
    }

    [Fact]
    public async Task OverHttp_SamplingElicitationAndStructuredContent_GoBackAndForthThroughTheRelay()
    {
        await using var everything = await NodeTools.StartEverythingOverHttpAsync(_cancel);
        await using var relay = await RelayHarness.StartAsync(register: (app, _) => RegisterAsync(app, () => app.HttpServerAsync("everything", everything.Url)));
        await using var client = await relay.ConnectAsync(await TokenAsync(relay), AgentOptions());

        var sampled = await client.CallToolAsync("everything__trigger-sampling-request", new Dictionary<string, object?> { ["prompt"] = "say hi", ["maxTokens"] = 20 }, cancellationToken: _cancel);
        var elicited = await client.CallToolAsync("everything__trigger-elicitation-request", cancellationToken: _cancel);
        var structured = await client.CallToolAsync("everything__get-structured-content", new Dictionary<string, object?> { ["location"] = "New York" }, cancellationToken: _cancel);

        Assert.Contains("sampled by the agent", Text(sampled), StringComparison.Ordinal);
        Assert.Contains("Ada Lovelace", Text(elicited), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, structured.StructuredContent!.Value.GetProperty("temperature").ValueKind);
    }

    private static string Text(CallToolResult result) => string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    private static McpClientOptions AgentOptions() => new()
    {
        Capabilities = new ClientCapabilities { Sampling = new(), Elicitation = new() },
        Handlers = new McpClientHandlers
        {
            SamplingHandler = (_, _, _) => ValueTask.FromResult(new CreateMessageResult
            {
                Content = [new TextContentBlock { Text = "sampled by the agent" }],
                Model = "test-model",
                Role = Role.Assistant,
            }),
            ElicitationHandler = (_, _) => ValueTask.FromResult(new ElicitResult
            {
                Action = "accept",
                Content = new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement("Ada Lovelace"), ["check"] = JsonSerializer.SerializeToElement(true) },
            }),
        },
    };

    private async Task<string> TokenAsync(RelayHarness relay)
    {
        var key = await relay.AgentAsync("everything-bot", [.. Granted.Select(t => ("everything", t, GrantEffect.Allow))]);
        return (await relay.MintAsync(key: key)).GetProperty("token").GetString()!;
    }

    private static async Task RegisterAsync(ShieldAppFactory app, Func<Task> register)
    {
        await register();
        await app.ApproveDiscoveredAsync("everything");
    }
}
