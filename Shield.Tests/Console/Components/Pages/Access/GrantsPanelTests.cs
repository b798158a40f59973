// Tests read a select's value as the person sees it; components never do.
#pragma warning disable MUD0012

using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Console.Agents;
using Shield.Console.Components.Pages.Access;
using Shield.Console.Grants;
using Shield.Console.Registry;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Access;

/// <summary>The grants editor, on the console's real services over a real database.</summary>
public sealed class GrantsPanelTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();
    private UpstreamServer _upstream = default!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        await _app.ApprovedToolsAsync("crm", _upstream, "lookup", "delete_record");
        _upstream.Set("archive", "Archives a record."); // discovered after the approvals: pending review
        await _app.DiscoverAsync("crm");
        await _app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("invoice-bot", null, null, ["finance-bots"], true), Registrations.Admin);
        var grants = _app.Services.GetRequiredService<GrantBook>();
        await grants.AddAsync(new GrantInput(SubjectKind.Agent, "invoice-bot", "crm", "lookup", GrantEffect.Allow), Registrations.Admin);
        await grants.AddAsync(new GrantInput(SubjectKind.Role, "auditors", "crm", Grant.AllTools, GrantEffect.Deny), Registrations.Admin);
        Services.AddSingleton(_app.Services.GetRequiredService<GrantBook>());
        Services.AddSingleton(_app.Services.GetRequiredService<AgentDirectory>());
        Services.AddSingleton(_app.Services.GetRequiredService<ToolReview>());
    }

    [Fact]
    public void Grants_AreListed_AndFilteredBySubject()
    {
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, true));
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));

        panel.Find("#grant-filter").Input("role:auditors");

        panel.WaitForAssertion(() => Assert.Equal(["role:auditors → crm__*"], panel.FindAll("#grants-table tbody tr td:first-child").Select(td => td.TextContent.Trim())));
    }

    [Fact]
    public void AFilterHandedIn_FromAnAgentsRow_IsAppliedAtOnce()
    {
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Filter, "agent:invoice-bot"));

        panel.WaitForAssertion(() => Assert.Equal(["agent:invoice-bot → crm__lookup"], panel.FindAll("#grants-table tbody tr td:first-child").Select(td => td.TextContent.Trim())));
        panel.Find("#grant-filter").Input("agent:nobody");
        panel.WaitForAssertion(() => Assert.Contains("No grant matches", panel.Find("#grants-none-match").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Auditors_SeeGrants_ButNoEditorAndNoRemoveButton()
    {
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, false));
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));

        Assert.Empty(panel.FindAll("#grant-editor"));
        Assert.Empty(panel.FindComponents<MudIconButton>());
    }

    [Fact]
    public async Task ChoosingAServer_StartsFromOneApprovedTool_NotFromAll_AndAToolNotApprovedIsFlagged()
    {
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, true));
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));

        await Choose(panel, "Server", "crm");

        Assert.Equal("delete_record", Select(panel, "Tool").Value);
        Assert.Empty(panel.FindAll("#grant-unapproved"));
        await Choose(panel, "Tool", "archive");
        Assert.Contains("archive is not approved (Pending review)", panel.Find("#grant-unapproved").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantingAToolNotApproved_AsksFirst_AndCancellingGrantsNothing()
    {
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, true));
        var dialogs = Render<MudDialogProvider>();
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));
        await Choose(panel, "Agent", "invoice-bot");
        await Choose(panel, "Server", "crm");
        await Choose(panel, "Tool", "archive");

        var adding = panel.InvokeAsync(() => panel.Find("#grant-add").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Grant a tool that is not approved?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Contains("Cancel", StringComparison.Ordinal)).Click();
        await adding;
        Assert.DoesNotContain(await Book.ListAsync(_cancel), g => g.Tool == "archive");

        adding = panel.InvokeAsync(() => panel.Find("#grant-add").Click());
        dialogs.WaitForAssertion(() => Assert.Contains("Grant anyway", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Contains("Grant anyway", StringComparison.Ordinal)).Click();
        await adding;

        Assert.Contains(await Book.ListAsync(_cancel), g => g is { Subject: "invoice-bot", Tool: "archive", Effect: GrantEffect.Allow });
    }

    [Fact]
    public async Task AGrantsEffect_IsPreviewedAgainstTheTrail_ThenChangedInPlace_InForceAndRecorded()
    {
        await _app.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>().AppendAsync(new Shield.Core.Auditing.AuditRecord
        {
            AtUtc = DateTime.UtcNow.AddHours(-1), EventType = Shield.Core.Auditing.AuditEventTypes.CallAllowed, ActorKind = "agent", ActorId = "id",
            ActorName = "invoice-bot", Server = "crm", Tool = "lookup", RedactedArguments = """{"text":"INV-1"}""", Decision = "Allow",
        }, _cancel);
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, true));
        var dialogs = Render<MudDialogProvider>();
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));
        var lookup = panel.FindComponents<MudSelect<GrantEffect>>().Single(s => s.Instance.Value == GrantEffect.Allow && s.Instance.Class == "grant-effect");

        // Cancelled after the preview: nothing changes.
        var changing = panel.InvokeAsync(() => lookup.Instance.ValueChanged.InvokeAsync(GrantEffect.Deny));
        // The tool is discovered at high risk, so its recorded call needed approval; denied, it would not have.
        dialogs.WaitForAssertion(() => Assert.Contains("1 call(s) examined, 1 would have been decided otherwise. needs approval → denied: 1.", dialogs.Markup, StringComparison.Ordinal));
        Assert.Contains("Change agent:invoice-bot → crm__lookup", dialogs.Markup, StringComparison.Ordinal);
        dialogs.FindAll("button").Single(b => b.TextContent.Contains("Cancel", StringComparison.Ordinal)).Click();
        await changing;
        Assert.Equal(GrantEffect.Allow, Assert.Single(await Book.ListAsync(_cancel), g => g.Subject == "invoice-bot").Effect);

        changing = panel.InvokeAsync(() => lookup.Instance.ValueChanged.InvokeAsync(GrantEffect.Approve));
        dialogs.WaitForAssertion(() => Assert.Contains("approve each call?", dialogs.Markup, StringComparison.Ordinal));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Change").Click();
        await changing;

        var changed = Assert.Single(await Book.ListAsync(_cancel), g => g.Subject == "invoice-bot");
        Assert.Equal(GrantEffect.Approve, changed.Effect);
        await using var db = await _app.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Shield.Core.Persistence.ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var record = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.GovernanceChanges,
            c => c.Subject == "grant" && c.Action == "updated", _cancel);
        Assert.Contains("\"effect\":\"allow\"", record.Before, StringComparison.Ordinal);
        Assert.Contains("\"effect\":\"approve\"", record.After, StringComparison.Ordinal);
        var policy = _app.Services.GetRequiredService<Shield.Core.Policy.PolicyStore>().Current;
        Assert.Contains(policy.Grants, g => g is { Subject: "invoice-bot", Tool: "lookup", Effect: GrantEffect.Approve });
    }

    [Fact]
    public async Task AConditionWithATypeError_IsRefused_WithTheMessageUnderTheField_AndAGoodOneIsListed()
    {
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, true));
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));
        await Choose(panel, "Agent", "invoice-bot");
        await Choose(panel, "Server", "crm");
        await Choose(panel, "Tool", "delete_record");

        panel.Find("#grant-when").Input("args.text > 3");
        await panel.InvokeAsync(() => panel.Find("#grant-add").Click());

        // Under the field, as its error text (not in the form's general alert).
        panel.WaitForAssertion(() => Assert.Contains(
            "Against the input schema of crm__delete_record: args.text (a string) is compared with 3 (a number)",
            panel.Find(".mud-input-helper-text.mud-input-error").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("#grant-error"));
        Assert.DoesNotContain(await Book.ListAsync(_cancel), g => g.Tool == "delete_record");

        panel.Find("#grant-when").Input("args.text.startsWith('INV-')");
        await panel.InvokeAsync(() => panel.Find("#grant-add").Click());

        panel.WaitForAssertion(() => Assert.Contains(panel.FindAll(".grant-when"), w => w.TextContent.Trim() == "when args.text.startsWith('INV-')"));
        Assert.Contains(await Book.ListAsync(_cancel), g => g is { Tool: "delete_record", When: "args.text.startsWith('INV-')" });
    }

    [Fact]
    public async Task BeforeSaving_AGrantIsPreviewedAgainstTheTrail_WhatChangesAndWhatCouldNotBeEvaluated_AndNothingIsSaved()
    {
        var writer = _app.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>();
        foreach (var text in new[] { "INV-1", "PO-2", "[REDACTED:email]" })
        {
            await writer.AppendAsync(new Shield.Core.Auditing.AuditRecord
            {
                AtUtc = DateTime.UtcNow.AddHours(-1), EventType = Shield.Core.Auditing.AuditEventTypes.CallAllowed, ActorKind = "agent", ActorId = "id",
                ActorName = "invoice-bot", Server = "crm", Tool = "lookup", RedactedArguments = $$"""{"text":"{{text}}"}""", Decision = "Allow",
            }, _cancel);
        }

        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, true));
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));
        await Choose(panel, "Agent", "invoice-bot");
        await Choose(panel, "Server", "crm");
        await Choose(panel, "Tool", "lookup");
        panel.Find("#grant-when").Input("args.text.startsWith('INV-')");

        await panel.InvokeAsync(() => panel.Find("#grant-preview").Click());

        panel.WaitForAssertion(() => Assert.Contains("3 call(s) examined, 1 would have been decided otherwise, 1 could not be evaluated",
            panel.Find("#history-preview-summary").TextContent, StringComparison.Ordinal));
        // The tool is discovered at high risk, so its calls needed approval.
        Assert.Equal(["invoice-bot", "crm__lookup", "needs approval → denied", "1"], panel.FindAll("#history-preview-changes tbody td").Select(td => td.TextContent.Trim()));
        Assert.Contains("its condition reads args.text, which the trail holds redacted", panel.Find("#history-preview-not-evaluated").TextContent, StringComparison.Ordinal);
        Assert.Null(Assert.Single(await Book.ListAsync(_cancel), g => g.Subject == "invoice-bot").When);
    }

    [Fact]
    public async Task ALogOnlyGrant_IsAddedBesideTheEnforcedOne_AndMarked()
    {
        var panel = RenderAs<GrantsPanel>([], p => p.Add(g => g.Admin, true));
        panel.WaitForAssertion(() => Assert.Equal(2, panel.FindAll("#grants-table tbody tr").Count));
        await Choose(panel, "Agent", "invoice-bot");
        await Choose(panel, "Server", "crm");
        await Choose(panel, "Tool", "lookup");
        await panel.InvokeAsync(() => panel.FindComponents<MudSelect<GrantEffect>>().Single(s => s.Instance.Label == "Effect").Instance.ValueChanged.InvokeAsync(GrantEffect.Deny));
        await panel.InvokeAsync(() => panel.FindComponents<MudSelect<GrantMode>>().Single().Instance.ValueChanged.InvokeAsync(GrantMode.LogOnly));

        await panel.InvokeAsync(() => panel.Find("#grant-add").Click());

        panel.WaitForAssertion(() => Assert.Equal(3, panel.FindAll("#grants-table tbody tr").Count));
        Assert.Single(panel.FindAll(".grant-log-only"));
        Assert.Contains(await Book.ListAsync(_cancel), g => g is { Subject: "invoice-bot", Tool: "lookup", Effect: GrantEffect.Deny, Mode: GrantMode.LogOnly });
        Assert.Single(_app.Services.GetRequiredService<Shield.Core.Policy.PolicyStore>().Current.LogOnlyGrants);
    }

    private readonly CancellationToken _cancel = Xunit.TestContext.Current.CancellationToken;

    private GrantBook Book => _app.Services.GetRequiredService<GrantBook>();

    private static MudSelect<string> Select(IRenderedComponent<Microsoft.AspNetCore.Components.Authorization.CascadingAuthenticationState> panel, string label) =>
        panel.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label).Instance;

    private static Task Choose(IRenderedComponent<Microsoft.AspNetCore.Components.Authorization.CascadingAuthenticationState> panel, string label, string value) =>
        panel.InvokeAsync(() => Select(panel, label).ValueChanged.InvokeAsync(value));

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }
}
