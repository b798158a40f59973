using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Siem;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

/// <summary>A sink that falls behind slows nothing, but health and the console say so.</summary>
public sealed class SiemHealthTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASinkBehindItsMaxLag_TurnsHealthDegraded_NamingTheSink_WhileCallsAreStillRecorded()
    {
        var settings = SyslogStreamingTests.Sink("unreachable", ChildProcess.FreePort()); // nothing listens there
        settings["Shield:Siem:Sinks:0:MaxLag"] = "2";
        await using var app = new ShieldAppFactory { Settings = settings };
        var writer = app.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>();
        await new SyslogStreamingTests().AppendAsync(writer, 3); // recorded at once, whatever the sink does

        var response = await app.CreateBrowserLikeClient().GetAsync("/healthz", _cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_cancel)).RootElement;
        Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("siem").GetString());
        Assert.Matches(@"^SIEM sink unreachable is \d+ record\(s\) behind the audit trail \(more than its MaxLag of 2\)",
            health.GetProperty("reasons").GetProperty("siem").GetString());
        var lag = Assert.Single(await app.Services.GetRequiredService<SiemStatus>().ReadAsync(_cancel));
        Assert.True(lag.Behind);
        Assert.Equal(0, lag.Sequence);
    }

    [Fact]
    public async Task TheInstanceStreamingASink_ReportsItsLag_AsTheShieldSiemLagMetric()
    {
        // Records committed before the sink was configured: its first round finds them waiting.
        using var folder = new TempFolder();
        await using (var before = new ShieldAppFactory { DataDirectory = folder.Path })
        {
            await new SyslogStreamingTests().AppendAsync(before.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>(), 2);
        }

        var name = "metered-" + Guid.NewGuid().ToString("N")[..8];
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = SyslogStreamingTests.Sink(name, ChildProcess.FreePort()) };
        _ = app.Services;
        await app.Logs.WaitForAsync("SiemStreamer", $"Sending the audit trail to SIEM sink {name}");
        List<long> lags = [];
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Shield.Core.Diagnostics.ShieldTelemetry.Name && instrument.Name == "shield.siem.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "shield.siem.sink" } && Equals(tag.Value, name))
                {
                    lags.Add(value);
                }
            }
        });
        listener.Start();

        listener.RecordObservableInstruments();

        Assert.True(Assert.Single(lags) > 0);
    }
}
