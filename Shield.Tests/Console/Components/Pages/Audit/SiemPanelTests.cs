using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Components.Pages.Audit;
using Shield.Console.Siem;
using Shield.Tests.Console.Siem;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Audit;

/// <summary>The Audit page's read-only panel of SIEM sinks.</summary>
public sealed class SiemPanelTests : ComponentTestContext
{
    [Fact]
    public async Task ASinkBehindItsMaxLag_IsShownWithItsReceiver_AndSaysHealthIsDegraded()
    {
        var settings = SyslogStreamingTests.Sink("splunk", ChildProcess.FreePort());
        settings["Shield:Siem:Sinks:0:MaxLag"] = "1";
        settings["Shield:Siem:Sinks:0:Format"] = "Cef";
        await using var app = new ShieldAppFactory { Settings = settings };
        await new SyslogStreamingTests().AppendAsync(app.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>(), 2);
        Services.AddSingleton(app.Services.GetRequiredService<SiemStatus>());

        var panel = Render<SiemPanel>();

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("tr.siem-sink")));
        var row = panel.Find("tr.siem-sink");
        Assert.Equal("splunk", row.GetAttribute("data-sink"));
        Assert.Contains("syslog://127.0.0.1:", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("(Cef)", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("More than 1 behind: health is Degraded.", row.QuerySelector(".siem-state")!.TextContent, StringComparison.Ordinal);
    }
}
