using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

/// <summary>Two instances on one database stream a sink once between them; when its instance stops, the other goes on.</summary>
public sealed class SiemClusterTests
{
    private const string Jobs = "Shield.Console.Cluster.ClusterJob";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task OneInstanceStreamsASink_AndAnotherTakesItOverFromItsCursor_EachRecordSentOnce()
    {
        using var folder = new TempFolder();
        await using var receiver = new OtlpReceiver();
        await receiver.StartAsync();
        var streaming = new SyslogStreamingTests();
        var first = Instance(folder, "shield-a", receiver);
        await using var stopped = first;
        await first.Logs.WaitForAsync(Jobs, "shield-a runs the job siem:collector");
        await using var second = Instance(folder, "shield-b", receiver);
        await second.Logs.WaitForAsync(Jobs, "shield-b leaves this round of the job siem:collector");

        var head = await streaming.AppendAsync(second.Services.GetRequiredService<AuditWriter>(), 5);
        await receiver.WaitForRecordAsync(head, _cancel);
        var whileBothRan = Records(receiver);
        Assert.Equal(whileBothRan.Distinct(), whileBothRan); // one instance streamed them
        await first.DisposeAsync(); // stops, giving the lease up
        head = await streaming.AppendAsync(second.Services.GetRequiredService<AuditWriter>(), 5);
        await second.Logs.WaitForAsync(Jobs, "shield-b runs the job siem:collector");
        await receiver.WaitForRecordAsync(head, _cancel);

        var sequences = Records(receiver);
        Assert.Equal(Enumerable.Range(1, (int)head).Select(i => (long)i), sequences.Distinct().Order());
        SyslogStreamingTests.AssertInChainOrder(sequences); // a batch whose answer the stopping instance missed may come again
    }

    private static List<long> Records(OtlpReceiver receiver) =>
        [.. receiver.Received.Where(r => r.EventName != "audit.checkpoint").Select(r => r.Sequence)];

    private static ShieldAppFactory Instance(TempFolder folder, string name, OtlpReceiver receiver)
    {
        var settings = SyslogStreamingTests.Sink("collector", 0);
        settings["Shield:Siem:Sinks:0:Protocol"] = "OtlpHttp";
        settings["Shield:Siem:Sinks:0:Endpoint"] = receiver.Endpoint;
        settings["Shield:Cluster:InstanceName"] = name;
        settings["Logging:LogLevel:Shield.Console.Cluster"] = "Debug";
        var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        _ = app.Services;
        return app;
    }
}
