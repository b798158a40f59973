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
using Shield.Core.Policy;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Access;

/// <summary>The what-if view with sample arguments: pre-filled from the tool's schema, and each grant's condition shown with its result.</summary>
public sealed class WhatIfPanelTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();
    private UpstreamServer _upstream = default!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        await _app.ApprovedToolsAsync("crm", _upstream, "lookup");
        await _app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("invoice-bot", null, null, ["finance-bots"], true), Registrations.Admin);
        var grants = _app.Services.GetRequiredService<GrantBook>();
        await grants.AddAsync(new GrantInput(SubjectKind.Agent, "invoice-bot", "crm", "lookup", GrantEffect.Allow, "args.text.startsWith('INV-')"), Registrations.Admin);
        await grants.AddAsync(new GrantInput(SubjectKind.Role, "finance-bots", "crm", Grant.AllTools, GrantEffect.Approve, "args.text == 'INV-9'"), Registrations.Admin);
        Services.AddSingleton(_app.Services.GetRequiredService<PolicyStore>());
        Services.AddSingleton(_app.Services.GetRequiredService<ToolReview>());
    }

    [Fact]
    public async Task SampleArguments_ArePrefilledFromTheSchema_AndEachGrantsConditionIsShownWithItsResult()
    {
        var panel = RenderAs<WhatIfPanel>([]);
        await panel.InvokeAsync(() => Select(panel, "Agent").ValueChanged.InvokeAsync("invoice-bot"));
        await panel.InvokeAsync(() => Select(panel, "Tool").ValueChanged.InvokeAsync("crm__lookup"));

        panel.WaitForAssertion(() => Assert.Contains("\"text\": \"\"", panel.Find("#whatif-arguments").GetAttribute("value") ?? panel.Find("#whatif-arguments").TextContent, StringComparison.Ordinal));
        Assert.Contains("No.", panel.Find("#whatif-answer").TextContent, StringComparison.Ordinal);
        Assert.Contains("does not apply to this call: args.text was ''", panel.Find("#whatif-answer").TextContent, StringComparison.Ordinal);

        panel.Find("#whatif-arguments").Input("""{ "text": "INV-9" }""");

        panel.WaitForAssertion(() => Assert.Contains("Yes, once a person approves the call.", panel.Find("#whatif-answer").TextContent, StringComparison.Ordinal));
        Assert.Equal(["holds: args.text was 'INV-9'", "holds: args.text was 'INV-9'"], panel.FindAll(".whatif-condition").Select(c => c.TextContent.Trim()));

        panel.Find("#whatif-arguments").Input("""{ "text": 7 }""");

        panel.WaitForAssertion(() => Assert.Contains("could not be evaluated", panel.Find("#whatif-answer").TextContent, StringComparison.Ordinal));
        Assert.Contains(panel.FindAll(".whatif-condition"), c => c.TextContent.Contains("could not be evaluated (denies): args.text was 7, not a string.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALogOnlyGrant_ShowsWhatItWouldMakeOfTheCall_BesideTheAnswer()
    {
        await _app.Services.GetRequiredService<GrantBook>().AddAsync(
            new GrantInput(SubjectKind.Role, "finance-bots", "crm", "lookup", GrantEffect.Deny, "args.text.startsWith('INV-1')", GrantMode.LogOnly), Registrations.Admin,
            Xunit.TestContext.Current.CancellationToken);
        var panel = RenderAs<WhatIfPanel>([]);
        await panel.InvokeAsync(() => Select(panel, "Agent").ValueChanged.InvokeAsync("invoice-bot"));
        await panel.InvokeAsync(() => Select(panel, "Tool").ValueChanged.InvokeAsync("crm__lookup"));

        panel.Find("#whatif-arguments").Input("""{ "text": "INV-12" }""");

        panel.WaitForAssertion(() => Assert.Contains("Yes", panel.Find("#whatif-answer").TextContent, StringComparison.Ordinal));
        Assert.Contains("Log-only: would-deny.", panel.Find("#whatif-shadow").TextContent, StringComparison.Ordinal);
        panel.Find("#whatif-arguments").Input("""{ "text": "INV-22" }""");
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("#whatif-shadow")));
    }

    private static MudSelect<string> Select(IRenderedComponent<Microsoft.AspNetCore.Components.Authorization.CascadingAuthenticationState> panel, string label) =>
        panel.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == label).Instance;

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }
}
