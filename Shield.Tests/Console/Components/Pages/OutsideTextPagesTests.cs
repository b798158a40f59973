using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using Shield.Console.Agents;
using Shield.Console.Approvals;
using Shield.Console.Auditing;
using Shield.Console.Components.Pages.Access;
using Shield.Console.Components.Pages.Approvals;
using Shield.Console.Components.Pages.Audit;
using Shield.Console.Components.Pages.Registry;
using Shield.Console.Governance;
using Shield.Console.Registry;
using Shield.Console.Sessions;
using Shield.Core.Accounts;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Core.Sessions;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages;

/// <summary>
/// Text from outside (servers' names, errors, tool titles and definitions, agents' tasks, the trail) reaches every page
/// with its invisible and direction-changing characters written out, never in effect.
/// </summary>
public sealed class OutsideTextPagesTests : ComponentTestContext, IAsyncLifetime
{
    private const string Override = "\u202E"; // right-to-left override: "\u202Eexe.txt" reads as "txt.exe"
    private const string ZeroWidth = "\u200B";
    private const string Shown = "⟦U+202E⟧";

    private readonly ShieldAppFactory _app = new();
    private readonly Guid _session = Guid.NewGuid();
    private readonly CancellationToken _cancel = Xunit.TestContext.Current.CancellationToken;
    private Guid _tool;

    public async ValueTask InitializeAsync()
    {
        var now = DateTime.UtcNow;
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel))
        {
            var server = new RegisteredServer
            {
                Name = "crm", DisplayName = $"CRM {Override}gnp.exe", Owner = $"ops{ZeroWidth}", Transport = ServerTransport.Http, Url = "http://127.0.0.1:9/mcp",
                LastDiscoveryAtUtc = now, LastDiscoverySucceeded = false, LastDiscoveryError = $"The server said: {Override}deliated", CreatedAtUtc = now, UpdatedAtUtc = now,
                ProtocolRevision = "2026-07-28", ProtocolRevisionLearnedAtUtc = now,
            };
            var tool = new RegisteredTool
            {
                Server = server, Name = "lookup", Title = $"Look{Override}up", Description = $"Finds customers{ZeroWidth}, then {Override}secrets",
                OutputSchema = $$"""{"type":"object","description":"{{ZeroWidth}}"}""", Annotations = $$"""{"title":"{{Override}}"}""",
                Fingerprint = "sha256:x", FirstSeenAtUtc = now, LastSeenAtUtc = now,
            };
            db.Tools.Add(tool);
            db.Sessions.Add(new AgentSession
            {
                Id = _session, AgentName = "invoice-bot", Task = $"Pay {Override}sesiovni", Tools = ["crm__lookup"], TokenSha256 = "x", CreatedAtUtc = now, ExpiresAtUtc = now.AddHours(1),
            });
            await db.SaveChangesAsync(_cancel);
            _tool = tool.Id;
        }

        var agent = await _app.Services.GetRequiredService<AgentDirectory>().CreateAsync(
            new AgentInput("invoice-bot", $"Pays {Override}invoices", "ops@shield.test", [], true), Registrations.Admin, _cancel);
        Assert.Null(agent.Refusal);
        await _app.Services.GetRequiredService<AuditWriter>().AppendAsync(new AuditRecord
        {
            AtUtc = now, EventType = AuditEventTypes.CallDenied, ActorKind = Actor.Agent, ActorId = "id", ActorName = "invoice-bot", SessionId = _session,
            Task = $"Pay {Override}sesiovni", Server = "crm", Tool = $"look{Override}up", Decision = "Deny", Reason = $"Not granted {Override}",
        }, _cancel);
        foreach (var service in new[] { typeof(ToolReview), typeof(DiscoveryService), typeof(ServerCatalog), typeof(GovernanceExporter), typeof(SessionIssuer),
            typeof(AgentDirectory), typeof(AuditSearch), typeof(IOptionsMonitor<RegistryOptions>), typeof(TimeProvider) })
        {
            Services.AddSingleton(service, _app.Services.GetRequiredService(service));
        }
    }

    [Fact]
    public void TheToolList_ShowsTitlesAndDescriptionsRevealed()
    {
        var page = RenderAs<Tools>([ShieldRoles.Admin]);

        page.WaitForAssertion(() => Assert.Contains($"Look{Shown}up", page.Find("#tools-grid").TextContent, StringComparison.Ordinal));
        Assert.Contains("Finds customers⟦U+200B⟧, then ⟦U+202E⟧secrets", page.Find(".tool-description").TextContent, StringComparison.Ordinal);
        AssertNothingHidden(page.Markup);
    }

    [Fact]
    public void TheToolPage_CountsHiddenCharactersInEveryPartOfTheDefinition()
    {
        var page = RenderAs<ToolDetails>([ShieldRoles.Admin], p => p.Add(d => d.Id, _tool));

        page.WaitForAssertion(() => Assert.Contains("contains 5 character(s)", page.Find("#hidden-text-notice").TextContent, StringComparison.Ordinal));
        AssertNothingHidden(page.Markup);
    }

    [Fact]
    public void TheServerList_ShowsDisplayNamesOwnersAndErrorsRevealed()
    {
        var page = RenderAs<Servers>([ShieldRoles.Admin]);

        page.WaitForAssertion(() => Assert.Contains($"CRM {Shown}gnp.exe", page.Find(".server-display-name").TextContent, StringComparison.Ordinal));
        Assert.Contains($"The server said: {Shown}deliated", page.Find(".discovery-error").TextContent, StringComparison.Ordinal);
        Assert.Contains("ops⟦U+200B⟧", page.Find("#servers-table").TextContent, StringComparison.Ordinal);
        AssertNothingHidden(page.Markup);
    }

    [Fact]
    public void TheServerList_ShowsTheRevisionTheServerSpeaks()
    {
        var page = RenderAs<Servers>([ShieldRoles.Admin]);

        page.WaitForAssertion(() => Assert.Contains("2026-07-28", page.Find(".protocol-revision").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void TheSessions_ShowTheirTaskRevealed()
    {
        var page = RenderAs<SessionsPage>([ShieldRoles.Admin]);

        page.WaitForAssertion(() => Assert.Equal($"Pay {Shown}sesiovni", page.Find(".session-task").TextContent.Trim()));
        AssertNothingHidden(page.Markup);
    }

    [Fact]
    public void TheAgents_ShowDescriptionsRevealed()
    {
        var page = RenderAs<AgentsPanel>([ShieldRoles.Admin]);

        page.WaitForAssertion(() => Assert.Contains($"Pays {Shown}invoices", page.Find("#agents-table").TextContent, StringComparison.Ordinal));
        AssertNothingHidden(page.Markup);
    }

    [Fact]
    public async Task TheTrail_ShowsTasksToolsAndReasonsRevealed_InTheTimelineAndTheRecord()
    {
        var timeline = RenderAs<SessionTimeline>([ShieldRoles.Auditor], p => p.Add(t => t.Id, _session));
        timeline.WaitForAssertion(() => Assert.Contains($"task “Pay {Shown}sesiovni”", timeline.Find("#timeline-summary").TextContent, StringComparison.Ordinal));
        Assert.Contains($"crm__look{Shown}up", timeline.Find("#timeline-table").TextContent, StringComparison.Ordinal);
        Assert.Contains($"Pay {Shown}sesiovni", timeline.Find("#timeline-table a").GetAttribute("title"), StringComparison.Ordinal);
        AssertNothingHidden(timeline.Markup);

        var dialogs = Render<MudDialogProvider>();
        var sequence = (await _app.Services.GetRequiredService<AuditSearch>().TimelineAsync(_session, _cancel)).Single().Sequence;
        await dialogs.InvokeAsync(() => AuditRecordDialog.ShowAsync(Services.GetRequiredService<IDialogService>(), sequence));

        dialogs.WaitForAssertion(() => Assert.Contains($"Not granted {Shown}", dialogs.Find("#audit-record-detail").TextContent, StringComparison.Ordinal));
        AssertNothingHidden(dialogs.Markup);
    }

    [Fact]
    public void AnApprovalCard_ShowsTheTaskAndTheToolRevealed()
    {
        var view = new ApprovalView(Guid.NewGuid(), ApprovalStatus.Pending, "invoice-bot", $"Pay {Override}sesiovni", _session, "crm", "lookup", "crm__lookup",
            $"Finds {Override}customers", RiskLevel.High, $"Because {ZeroWidth}", """{"q":"a"}""", "hmac:1", DateTime.UtcNow, DateTime.UtcNow.AddMinutes(5), 1, [], null, null, null);

        var card = Render<ApprovalCard>(p => p.Add(c => c.Request, view).Add(c => c.NowUtc, DateTime.UtcNow));

        Assert.Contains($"Task: Pay {Shown}sesiovni", card.Find(".approval-task").TextContent, StringComparison.Ordinal);
        Assert.Contains($"Finds {Shown}customers", card.Find(".tool-description").TextContent, StringComparison.Ordinal);
        AssertNothingHidden(card.Markup);
    }

    private static void AssertNothingHidden(string markup)
    {
        Assert.DoesNotContain(Override, markup, StringComparison.Ordinal);
        Assert.DoesNotContain(ZeroWidth, markup, StringComparison.Ordinal);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }
}
