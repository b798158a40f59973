using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>What clients notice: schemas verbatim, progress, cancellation reaching the upstream, calls in parallel.</summary>
public sealed class RelayFidelityTests : IAsyncLifetime
{
    private const string Schema = """{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"customer":{"$ref":"#/$defs/customer"}},"required":["customer"],"additionalProperties":false,"$defs":{"customer":{"type":"object","properties":{"id":{"type":"integer"}},"required":["id"]}}}""";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;

    public async ValueTask InitializeAsync() => _relay = await RelayHarness.StartAsync(register: async (app, upstream) =>
    {
        await RelayHarness.RegisterCrmAsync(app, upstream);
        upstream.Set("find", "Finds a customer.", Schema);
        await app.DiscoverAsync("crm");
        var review = app.Services.GetService(typeof(Shield.Console.Registry.ToolReview)) as Shield.Console.Registry.ToolReview;
        var find = (await app.ToolsAsync("crm")).Single(t => t.Name == "find");
        await review!.ApproveAsync(find.Id, find.Fingerprint, Registrations.Admin, TestContext.Current.CancellationToken);
        await app.LowRiskAsync("crm");
    });

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task SchemasPassThroughVerbatim_AndCallsAreCheckedAgainstThem_RefsIncluded()
    {
        var key = await _relay.AgentAsync("finder", ("crm", "find", Shield.Core.Grants.GrantEffect.Allow));
        var token = (await _relay.MintAsync(["crm__find"], key: key)).GetProperty("token").GetString()!;
        await using var client = await _relay.ConnectAsync(token);

        var listed = Assert.Single(await client.ListToolsAsync(cancellationToken: _cancel));
        var refused = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.CallToolAsync("crm__find",
            new Dictionary<string, object?> { ["customer"] = new { id = "seven" }, ["extra"] = 1 }, cancellationToken: _cancel));
        var called = await client.CallToolAsync("crm__find", new Dictionary<string, object?> { ["customer"] = new { id = 7 } }, cancellationToken: _cancel);

        Assert.Equal(Schema, listed.ProtocolTool.InputSchema.GetRawText());
        Assert.Contains("customer.id", refused.Message, StringComparison.Ordinal);
        Assert.Contains("extra", refused.Message, StringComparison.Ordinal);
        Assert.Equal("called find", Assert.IsType<TextContentBlock>(called.Content[0]).Text);
    }

    [Fact]
    public async Task ProgressNotifications_ReachTheClientThatAskedForThem()
    {
        var seen = new List<string>();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The upstream answers only once the agent has seen its progress: the SDK dispatches notifications and responses
        // concurrently, so a notification sent just before a result may otherwise be handled after the call completed.
        _relay.Upstream.OnCall = async (request, cancellationToken) =>
        {
            var token = request.Params!.ProgressToken!.Value;
            await request.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = 1, Total = 2, Message = "half" }, cancellationToken: cancellationToken);
            await request.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = 2, Total = 2, Message = "all" }, cancellationToken: cancellationToken);
            await both.Task.WaitAsync(cancellationToken);
            return new CallToolResult { Content = [new TextContentBlock { Text = "done" }] };
        };
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        var progress = new Progress(value =>
        {
            lock (seen)
            {
                seen.Add(value.Message!);
                if (seen.Count == 2)
                {
                    both.TrySetResult();
                }
            }
        });

        var result = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "a" }, progress, cancellationToken: _cancel);

        Assert.Equal("done", Assert.IsType<TextContentBlock>(result.Content[0]).Text);
        // The SDK dispatches notifications concurrently; the progress values, not arrival order, say which came first.
        Assert.Equal(["all", "half"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ProgressSentBeforeTheAnswer_ReachesTheResponseStreamBeforeIt_InOrder()
    {
        const int Reports = 25;
        _relay.Upstream.OnCall = async (request, cancellationToken) =>
        {
            var token = request.Params!.ProgressToken!.Value;
            for (var i = 1; i <= Reports; i++)
            {
                await request.Server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = i, Total = Reports }, cancellationToken: cancellationToken);
            }

            return new CallToolResult { Content = [new TextContentBlock { Text = "done" }] };
        };
        using var session = await RawMcpSession.OpenAsync(_relay.Root, await _relay.TokenAsync("crm__lookup"), _cancel);

        // A reader of the stream as sent: unlike the SDK's client, it sees the events in the order they came.
        using var call = await session.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"crm__lookup","arguments":{"text":"a"},"_meta":{"progressToken":"p-1"}}}""", _cancel);
        var body = await call.Content.ReadAsStringAsync(_cancel);

        var messages = body.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l["data:".Length..].Trim())
            .Where(d => d.Length > 0).Select(d => JsonNode.Parse(d)!).ToList();
        var progress = messages.TakeWhile(m => m["id"] is null).Select(m => (double)m["params"]!["progress"]!).ToList();
        Assert.Equal(Enumerable.Range(1, Reports).Select(i => (double)i), progress);
        Assert.Equal("done", (string?)messages[Reports]["result"]!["content"]![0]!["text"]);
    }

    [Fact]
    public async Task AClientsCancel_ReachesTheUpstream()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _relay.Upstream.OnCall = async (_, cancellationToken) =>
        {
            using var registration = cancellationToken.Register(() => cancelled.TrySetResult());
            entered.TrySetResult();
            await cancelled.Task; // held until the cancel arrives
            cancellationToken.ThrowIfCancellationRequested();
            return new CallToolResult();
        };
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        // As a client that follows the protocol does: the request under a known id, then notifications/cancelled for it.
        var call = client.SendRequestAsync(new JsonRpcRequest
        {
            Id = new RequestId("slow-1"),
            Method = RequestMethods.ToolsCall,
            Params = JsonNode.Parse("""{"name":"crm__lookup","arguments":{"text":"slow"}}"""),
        }, _cancel);
        await entered.Task.WaitAsync(_cancel);
        await client.SendNotificationAsync(NotificationMethods.CancelledNotification, new CancelledNotificationParams { RequestId = new RequestId("slow-1") }, cancellationToken: _cancel);

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(30), _cancel);
    }

    [Fact]
    public async Task SeveralCallsInFlightOnOneSession_EachGetTheirOwnResult()
    {
        _relay.Upstream.OnCall = async (request, _) =>
        {
            await Task.Yield();
            return new CallToolResult { Content = [new TextContentBlock { Text = request.Params!.Arguments!["text"].GetString()! }] };
        };
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = $"call {i}" }, cancellationToken: _cancel).AsTask()));

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"call {i}"), results.Select(r => Assert.IsType<TextContentBlock>(r.Content[0]).Text));
    }

    [Fact]
    public async Task TraceContext_ReachesTheUpstream_AndIsRecordedInTheTrail()
    {
        // An agent outside Shield's process that traces its HTTP requests only: the traceparent header.
        await TracedCallAsync("4bf92f3577b34da6a3ce929d0e0e4736", inHeader: true);
    }

    [Fact]
    public async Task TraceContextInMeta_AsTheMcpConventionsCarryIt_ReachesTheUpstream_AndIsRecordedInTheTrail()
    {
        await TracedCallAsync("5c0fa3e3a7b34da6a3ce929d0e0e4737", inHeader: false);
    }

    private async Task TracedCallAsync(string traceId, bool inHeader)
    {
        var parent = $"00-{traceId}-00f067aa0ba902b7-01";
        // Raw requests: an SDK client in this process would add trace context of its own.
        using var session = await RawMcpSession.OpenAsync(_relay.Root, await _relay.TokenAsync("crm__lookup"), _cancel,
            inHeader ? new Dictionary<string, string> { ["traceparent"] = parent } : null);
        var before = _relay.Upstream.Requests.Count;
        var meta = inHeader ? "" : $$""","_meta":{"traceparent":"{{parent}}"}""";

        using var call = await session.PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"crm__lookup","arguments":{"text":"traced"}""" + meta + "}}", _cancel);
        Assert.Contains("called lookup", await call.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);

        Assert.Contains(_relay.Upstream.Requests.Skip(before), headers => headers.TryGetValue("traceparent", out var onward) && onward.Contains(traceId, StringComparison.Ordinal));
        await _relay.App.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>().FlushAsync(_cancel);
        var search = _relay.App.Services.GetRequiredService<Shield.Console.Auditing.AuditSearch>();
        var recorded = await search.PageAsync(new Shield.Console.Auditing.AuditFilter { TraceId = traceId }, null, 10, _cancel);
        Assert.Equal(2, recorded.Records.Count);
    }

    private sealed class Progress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
