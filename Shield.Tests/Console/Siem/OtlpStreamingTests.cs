using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

/// <summary>The trail streamed as OTLP logs over HTTP to a collector on loopback.</summary>
public sealed class OtlpStreamingTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRecordReachesTheCollector_InOrder_ThroughRefusalsAndARestart_AndNoneIsMissing()
    {
        await using var receiver = new OtlpReceiver();
        receiver.RefuseNext(2);
        await receiver.StartAsync();
        var settings = SyslogStreamingTests.Sink("collector", 0);
        settings["Shield:Siem:Sinks:0:Protocol"] = "OtlpHttp";
        settings["Shield:Siem:Sinks:0:Endpoint"] = receiver.Endpoint;
        await using var app = new ShieldAppFactory { Settings = settings };
        var streaming = new SyslogStreamingTests();
        var writer = app.Services.GetRequiredService<AuditWriter>();

        var head = await streaming.AppendAsync(writer, 5);
        await receiver.WaitForRecordAsync(head, _cancel); // after two refusals
        await receiver.StopAsync();
        await streaming.AppendAsync(writer, 5);
        await receiver.StartAsync();
        head = await streaming.AppendAsync(writer, 5);
        await receiver.WaitForRecordAsync(head, _cancel);

        var records = receiver.Received.Where(r => r.EventName != "audit.checkpoint").ToList();
        Assert.Equal(Enumerable.Range(1, (int)head).Select(i => (long)i), records.Select(r => r.Sequence).Distinct().Order());
        SyslogStreamingTests.AssertInChainOrder(records.Select(r => r.Sequence).ToList()); // a batch whose answer was lost may come again
        var last = records.Last();
        Assert.Equal(("shield", "Shield.Audit", "tool-call.completed", 9L), (last.ServiceName, last.Scope, last.EventName, last.SeverityNumber));
        var ocsf = JsonDocument.Parse(last.Body).RootElement;
        Assert.Equal(6003, ocsf.GetProperty("class_uid").GetInt32());
        Assert.Equal(head, ocsf.GetProperty("metadata").GetProperty("sequence").GetInt64());
        Assert.Equal((ulong)(ocsf.GetProperty("time").GetInt64() * 1_000_000), last.TimeUnixNano / 1_000_000 * 1_000_000);
        Assert.Contains(receiver.Received, r => r.EventName == "audit.checkpoint" && r.Body.Contains("shield_anchor", StringComparison.Ordinal));
    }
}
