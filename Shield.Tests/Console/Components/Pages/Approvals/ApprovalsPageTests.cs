using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Console.Approvals;
using Shield.Console.Components.Layout;
using Shield.Console.Components.Pages.Approvals;
using Shield.Core.Accounts;
using Shield.Core.Approvals;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Approvals;

/// <summary>The live queue on the console's real feed and desk over a real database.</summary>
public sealed class ApprovalsPageTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();
    private ApprovalDesk _desk = default!;

    public ValueTask InitializeAsync()
    {
        _desk = _app.Services.GetRequiredService<ApprovalDesk>();
        Services.AddSingleton(_app.Services.GetRequiredService<ApprovalFeed>());
        Services.AddSingleton(_desk);
        Services.AddSingleton(TimeProvider.System);
        return ValueTask.CompletedTask;
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public void AnEmptyQueue_SaysWhatWillAppearHere()
    {
        var page = RenderAs<ApprovalsPage>([ShieldRoles.Reviewer]);

        Assert.Contains("Nothing waiting for approval", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequest_AppearsWithoutAReload_AndLeavesWhenAnotherReviewerDecides()
    {
        var page = RenderAs<ApprovalsPage>([ShieldRoles.Reviewer]);

        var request = await OpenAsync("""{"text":"card 4111 1111 1111 1111"}""");

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".approval-card")));
        var card = page.Find(".approval-card");
        Assert.Contains("invoice-bot wants to call crm__delete_record", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("Pay the November invoices", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("[REDACTED:card]", page.Find(".approval-arguments").TextContent, StringComparison.Ordinal);
        Assert.Matches(@"^[0-4]:\d\d left$", page.Find(".approval-countdown").TextContent.Trim());
        Assert.Contains("No call has been decided yet", page.Find("#recent-empty").TextContent, StringComparison.Ordinal);
        await _desk.DecideAsync(request.Id, new Reviewer("u-2", "other@shield.test"), false, "Not now", Xunit.TestContext.Current.CancellationToken);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".approval-card")));
        page.WaitForAssertion(() => Assert.Contains("other@shield.test", page.Find("#recent-decisions").TextContent, StringComparison.Ordinal));
        Assert.Contains("Not now", page.Find("#recent-decisions").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostileToolDescription_IsShownAsText()
    {
        var page = RenderAs<ApprovalsPage>([ShieldRoles.Reviewer]);

        await OpenAsync(null, description: "<img src=x onerror=alert(1)><script>steal()</script>");

        page.WaitForAssertion(() => Assert.Single(page.FindAll(".tool-description")));
        Assert.Empty(page.FindAll(".approval-card img"));
        Assert.Empty(page.FindAll(".approval-card script"));
        Assert.Contains("<img src=x onerror=alert(1)>", page.Find(".tool-description").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Denying_NeedsAReason_ThatReachesTheRequest()
    {
        var page = RenderAs<ApprovalsPage>([ShieldRoles.Reviewer]);
        var dialogs = Render<MudDialogProvider>();
        var request = await OpenAsync(null);
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".deny-button")));

        page.Find(".deny-button").Click();

        dialogs.WaitForAssertion(() => Assert.True(dialogs.Find("#deny-confirm").HasAttribute("disabled")));
        dialogs.Find("#deny-reason").Blur();
        Assert.Empty(dialogs.FindAll(".mud-input-error"));
        dialogs.Find("#deny-reason").Input("Wrong customer");
        dialogs.WaitForAssertion(() => Assert.False(dialogs.Find("#deny-confirm").HasAttribute("disabled")));
        dialogs.Find("#deny-confirm").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".approval-card")));
        var verdict = await request.Verdict;
        Assert.Equal(ApprovalStatus.Denied, verdict.Status);
        Assert.Contains("Wrong customer", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACallWhoseAgentStoppedWaiting_SaysSoOnItsCardAsItHappens_AndCannotBeApproved()
    {
        var page = RenderAs<ApprovalsPage>([ShieldRoles.Reviewer]);
        using var requester = new Requester();
        var request = await OpenAsync(null, requester: requester);
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".approve-button")));

        requester.Leave("its connection closed");

        page.WaitForAssertion(() => Assert.Contains("The agent stopped waiting: its connection closed. It can no longer be approved",
            page.Find(".approval-withdrawn").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll(".approve-button"));
        Assert.Empty(page.FindAll(".deny-button"));
        Assert.Empty(page.FindAll(".approval-countdown"));
        Assert.Equal(ApprovalStatus.Withdrawn, (await request.Verdict).Status);
        page.Find(".dismiss-button").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".approval-card")));
    }

    [Fact]
    public async Task AnApprovalConfirmedAfterTheAgentLeft_IsRefusedWithWhy()
    {
        var page = RenderAs<ApprovalsPage>([ShieldRoles.Reviewer]);
        var dialogs = Render<MudDialogProvider>();
        var snackbars = Render<MudSnackbarProvider>();
        using var requester = new Requester();
        await OpenAsync(null, requester: requester);
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".approve-button")));
        page.Find(".approve-button").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("will run once", dialogs.Markup, StringComparison.Ordinal));

        requester.Leave("its connection closed");
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".approval-withdrawn")));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Approve").Click();

        snackbars.WaitForAssertion(() => Assert.Contains("The agent stopped waiting: its connection closed. The call was withdrawn and can no longer be decided.",
            snackbars.Markup, StringComparison.Ordinal));
        Assert.Single(page.FindAll(".approval-withdrawn"));
    }

    [Fact]
    public async Task TheNavigation_ShowsHowManyCallsWait()
    {
        var menu = RenderAs<NavMenu>([ShieldRoles.Reviewer]);
        Assert.Empty(menu.FindAll("#pending-approvals-badge"));

        await OpenAsync(null);
        await OpenAsync(null);

        menu.WaitForAssertion(() => Assert.Equal("2", menu.Find("#pending-approvals-badge").TextContent.Trim()));
    }

    private async Task<(Guid Id, Task<ApprovalVerdict> Verdict)> OpenAsync(string? arguments, string description = "Deletes one record.", Requester? requester = null)
    {
        var request = new ApprovalRequest
        {
            SessionId = Guid.NewGuid(), AgentName = "invoice-bot", Task = "Pay the November invoices", Server = "crm", Tool = "delete_record",
            ToolDescription = description, Risk = RiskLevel.High, Reason = "The grant requires a person to approve each call.",
            RedactedArguments = arguments is null ? null : Shield.Core.Redaction.Redactor.Default.Redact(System.Text.Json.JsonDocument.Parse(arguments).RootElement),
            ArgumentsFingerprint = "hmac:1", RequestedAtUtc = DateTime.UtcNow, ExpiresAtUtc = DateTime.UtcNow.AddMinutes(5),
        };
        return (request.Id, await _desk.OpenAsync(request, requester));
    }
}
