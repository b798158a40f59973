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

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }
}
