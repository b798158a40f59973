using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Console.Components.Pages.Audit;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Audit;

/// <summary>The Audit page's filters, table and verification, on the console's real services over a real database.</summary>
public sealed class AuditComponentTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();
    private readonly Guid _session = Guid.NewGuid();

    public async ValueTask InitializeAsync()
    {
        var writer = _app.Services.GetRequiredService<AuditWriter>();
        foreach (var (tool, eventType) in new[] { ("lookup", AuditEventTypes.CallAllowed), ("delete_record", AuditEventTypes.CallDenied), ("lookup", AuditEventTypes.CallCompleted) })
        {
            await writer.AppendAsync(new AuditRecord
            {
                AtUtc = DateTime.UtcNow, EventType = eventType, ActorKind = Actor.Agent, ActorId = "id", ActorName = "invoice-bot",
                SessionId = _session, Task = "<script>alert('task')</script>", Server = "crm", Tool = tool,
            });
        }

        await writer.AppendAsync(new AuditRecord
        {
            AtUtc = DateTime.UtcNow, EventType = AuditEventTypes.ResourceRead, ActorKind = Actor.Agent, ActorId = "id", ActorName = "invoice-bot",
            SessionId = _session, Server = "crm", Subject = "resource", SubjectKey = "memo://<b>notes</b>", Decision = "Allow", Outcome = "ok",
        });
        Services.AddSingleton(_app.Services.GetRequiredService<AuditSearch>());
        Services.AddSingleton(_app.Services.GetRequiredService<AuditVerifier>());
        Services.AddSingleton(_app.Services.GetRequiredService<AuditExporter>());
        Services.AddSingleton(_app.Services.GetRequiredService<Shield.Console.Siem.SiemStatus>());
    }

    [Fact]
    public void TheFilters_HandOverWhatWasEntered()
    {
        AuditFilter? searched = null;
        var filters = Render<AuditFilters>(p => p.Add(f => f.OnSearch, (AuditFilter f) => searched = f));

        filters.Find("#filter-actor").Change("invoice-bot");
        filters.Find("#filter-session").Change(_session.ToString());
        filters.Find("#filter-tool").Change("lookup");
        filters.Find("#filter-from").Change("2026-11-24T08:00");
        filters.Find("#filter-search").Click();

        Assert.Equal(new AuditFilter { Actor = "invoice-bot", Session = _session, Tool = "lookup", From = new DateTime(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc) }, searched);
    }

    [Theory]
    [InlineData("#filter-session", "not-a-guid", "session id looks like")]
    [InlineData("#filter-trace", "xyz", "32 lower-case hex")]
    [InlineData("#filter-from", "yesterday-ish", "date and time")]
    public void ABadFilter_SaysWhatIsWrong_AndSearchesNothing(string field, string value, string message)
    {
        var searched = false;
        var filters = Render<AuditFilters>(p => p.Add(f => f.OnSearch, (AuditFilter _) => searched = true));

        filters.Find(field).Change(value);
        filters.Find("#filter-search").Click();

        Assert.False(searched);
        Assert.Contains(message, filters.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePage_ListsRecords_FiltersThem_AndEscapesWhatAgentsWrote()
    {
        var page = RenderAs<Shield.Console.Components.Pages.Audit.AuditPage>([ShieldRoles.Auditor]);
        page.WaitForAssertion(() => Assert.True(page.FindAll("#audit-table tbody tr").Count >= 3));

        page.Find("#filter-tool").Change("delete_record");
        page.Find("#filter-search").Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("#audit-table tbody tr")));
        Assert.Contains("tool=delete_record", page.Find("#export-csv").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Empty(page.FindAll("script"));

        page.Find("#filter-tool").Change("no-such-tool");
        page.Find("#filter-search").Click();
        page.WaitForAssertion(() => Assert.Contains("No record matches", page.Find("#audit-empty").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachExportFormat_HasItsOwnManifest_NextToItsDownload_BothEndingAtTheSameRecord()
    {
        var (head, _) = await _app.Services.GetRequiredService<AuditExporter>().HeadAsync(Xunit.TestContext.Current.CancellationToken);
        var page = RenderAs<Shield.Console.Components.Pages.Audit.AuditPage>([ShieldRoles.Auditor]);
        page.WaitForAssertion(() => Assert.True(page.FindAll("#audit-table tbody tr").Count >= 3));

        page.Find("#filter-tool").Change("delete_record");
        page.Find("#filter-search").Click();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("#audit-table tbody tr")));
        foreach (var format in new[] { "csv", "jsonl" })
        {
            var download = page.Find($"#export-{format}");
            var manifest = page.Find($"#manifest-{format}");
            Assert.Equal($"/audit/export?format={format}&through={head}&tool=delete_record", download.GetAttribute("href"));
            Assert.Equal($"/audit/export/manifest?format={format}&through={head}&tool=delete_record", manifest.GetAttribute("href"));
            Assert.Same(download.ParentElement, manifest.ParentElement);
        }

        Assert.Contains("CSV manifest", page.Find("#manifest-csv").TextContent, StringComparison.Ordinal);
        Assert.Contains($"up to record {head}", page.Find("#export-caption").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void AResourceRead_ShowsItsServerAndUri_AsText()
    {
        var page = RenderAs<Shield.Console.Components.Pages.Audit.AuditPage>([ShieldRoles.Auditor]);

        page.WaitForAssertion(() => Assert.Contains(page.FindAll("#audit-table tbody tr"), row => row.TextContent.Contains("crm: resource memo://<b>notes</b>", StringComparison.Ordinal)));
        Assert.Empty(page.FindAll("#audit-table b"));
    }

    [Fact]
    public void VerifyChain_ReportsAnIntactTrail()
    {
        var panel = RenderAs<VerifyChain>([ShieldRoles.Auditor]);

        panel.Find("#verify-button").Click();

        panel.WaitForAssertion(() => Assert.Contains("Intact:", panel.Find("#verify-result").TextContent, StringComparison.Ordinal));
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }
}
