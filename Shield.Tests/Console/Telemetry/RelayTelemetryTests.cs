using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Shield.Console.Relay;
using Shield.Core.Diagnostics;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Telemetry;

/// <summary>
/// A relayed call is traced as OpenTelemetry's semantic conventions for MCP describe it, both hops in one trace, with
/// what Shield decided on the agent's span; its duration is measured as the conventions' histogram.
/// </summary>
public sealed class RelayTelemetryTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARelayedCall_IsOneTrace_AgentSpanWithShieldsDecision_ThenTheUpstreamHop()
    {
        var spans = new Recorder();
        await using var relay = await RelayHarness.StartAsync(Traced(spans));
        await using var client = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        using var durations = new Durations();

        await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "traced" }, cancellationToken: _cancel);

        // The trail names the call's span: the MCP SDK's server span for the agent's tools/call.
        var recorded = (await relay.TrailAsync()).Last(r => r.EventType == "tool-call.completed");
        var agentSpan = await spans.EndedAsync(s => s.SpanId.ToHexString() == recorded.SpanId, _cancel);
        Assert.Equal((ShieldTelemetry.McpName, ActivityKind.Server), (agentSpan.Source.Name, agentSpan.Kind));
        Assert.Equal(recorded.TraceId, agentSpan.TraceId.ToHexString());
        Assert.Equal("tools/call", Tag(agentSpan, "mcp.method.name"));
        Assert.Equal("crm__lookup", Tag(agentSpan, "gen_ai.tool.name"));
        Assert.Equal("execute_tool", Tag(agentSpan, "gen_ai.operation.name"));
        Assert.Equal("2025-11-25", Tag(agentSpan, "mcp.protocol.version"));
        Assert.Equal("Allow", Tag(agentSpan, ShieldSpanTags.Decision));
        Assert.Equal(recorded.DecidingGrant, Tag(agentSpan, ShieldSpanTags.Grant));
        Assert.Equal("tool-call.completed", Tag(agentSpan, ShieldSpanTags.Event));

        // The upstream hop: Shield's client span under the agent's span, and the upstream's own server span under that.
        var hop = await spans.EndedAsync(s => s.ParentSpanId == agentSpan.SpanId && s.Kind == ActivityKind.Client && Tag(s, "mcp.method.name") == "tools/call", _cancel);
        Assert.Equal((ShieldTelemetry.McpName, "lookup"), (hop.Source.Name, Tag(hop, "gen_ai.tool.name")));
        var upstream = await spans.EndedAsync(s => s.ParentSpanId == hop.SpanId && s.Kind == ActivityKind.Server && s.Source.Name == ShieldTelemetry.McpName, _cancel);
        Assert.Equal((agentSpan.TraceId, "lookup"), (upstream.TraceId, Tag(upstream, "gen_ai.tool.name")));

        Assert.Contains(durations.Seen, m => m.Instrument == "mcp.server.operation.duration" && m.Tags.GetValueOrDefault("gen_ai.tool.name") == "crm__lookup"
            && m.Tags.GetValueOrDefault("mcp.method.name") == "tools/call");
        Assert.Contains(durations.Seen, m => m.Instrument == "mcp.client.operation.duration" && m.Tags.GetValueOrDefault("gen_ai.tool.name") == "lookup");
    }

    [Fact]
    public async Task ARefusedCall_SaysSoOnItsSpan()
    {
        var spans = new Recorder();
        await using var relay = await RelayHarness.StartAsync(Traced(spans));
        await using var client = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));

        await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(async () =>
            await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = 42 }, cancellationToken: _cancel));

        var recorded = (await relay.TrailAsync()).Last(r => r.EventType == "tool-call.denied");
        var agentSpan = await spans.EndedAsync(s => s.SpanId.ToHexString() == recorded.SpanId, _cancel);
        Assert.Equal("tool-call.denied", Tag(agentSpan, ShieldSpanTags.Event));
        Assert.Equal("Allow", Tag(agentSpan, ShieldSpanTags.Decision)); // the grant allowed it; its arguments did not fit the schema
        Assert.False(string.IsNullOrEmpty(Tag(agentSpan, "error.type")));
    }

    private static ShieldAppFactory Traced(Recorder spans) => new()
    {
        TestServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(spans)),
    };

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();

    /// <summary>Every span that ends in this process (each test tells its own apart by ids), and waits for one.</summary>
    private sealed class Recorder : BaseProcessor<Activity>
    {
        private readonly List<Activity> _ended = [];
        private readonly List<(Func<Activity, bool> Match, TaskCompletionSource<Activity> Found)> _waiting = [];

        public override void OnEnd(Activity data)
        {
            lock (_ended)
            {
                _ended.Add(data);
                foreach (var waiter in _waiting.Where(w => w.Match(data)).ToList())
                {
                    _waiting.Remove(waiter);
                    waiter.Found.TrySetResult(data);
                }
            }
        }

        public Task<Activity> EndedAsync(Func<Activity, bool> match, CancellationToken cancellationToken)
        {
            lock (_ended)
            {
                if (_ended.FirstOrDefault(match) is { } ended)
                {
                    return Task.FromResult(ended);
                }

                var found = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((match, found));
                return found.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            }
        }
    }

    /// <summary>The MCP SDK's duration histograms, as a metrics exporter reads them.</summary>
    private sealed class Durations : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Durations()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ShieldTelemetry.McpName && instrument.Name.EndsWith(".operation.duration", StringComparison.Ordinal))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
            {
                var named = new Dictionary<string, string?>(StringComparer.Ordinal);
                foreach (var tag in tags)
                {
                    named[tag.Key] = tag.Value?.ToString();
                }

                Seen.Enqueue((instrument.Name, named));
            });
            _listener.Start();
        }

        public ConcurrentQueue<(string Instrument, Dictionary<string, string?> Tags)> Seen { get; } = new();

        public void Dispose() => _listener.Dispose();
    }
}
