using ModelContextProtocol.Protocol;
using Shield.Core.Accounts;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>A reviewer in the browser approves an agent's call to the reference server while the agent waits.</summary>
public sealed class ApprovalTests(BrowserFixture browser)
{
    [Fact]
    public async Task AReviewer_SeesAWaitingCallAppearMasked_ApprovesIt_AndTheAgentGetsTheUpstreamsResult()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var relay = await RelayHarness.StartAsync(register: async (app, _) =>
        {
            await app.StdioServerAsync("everything", "node", [NodeTools.EverythingServer, "stdio"]);
            await app.ApproveDiscoveredAsync("everything");
        });
        var key = await relay.AgentAsync("support-bot", ("everything", "echo", GrantEffect.Approve));
        var reviewer = ShieldAppFactory.NewEmail("reviewer");
        await relay.App.CreateUserAsync(reviewer, ShieldRoles.Reviewer);
        await using var console = await ConsoleInBrowser.AttachAsync(browser, relay.App, relay.Root);
        var page = console.Page;
        await console.SignInAsync(reviewer, ShieldAppFactory.Password, "/approvals");
        await console.WaitUntilInteractiveAsync();
        await Expect(page.GetByText("Nothing waiting for approval")).ToBeVisibleAsync();
        await using var agent = await relay.ConnectAsync((await relay.MintAsync(["everything__echo"], key: key)).GetProperty("token").GetString()!);

        var call = agent.CallToolAsync("everything__echo", new Dictionary<string, object?> { ["message"] = "reset ada@example.com with password=hunter2" }, cancellationToken: cancel).AsTask();

        var card = page.Locator(".approval-card");
        await Expect(card).ToContainTextAsync("support-bot wants to call everything__echo");
        await Expect(card).ToContainTextAsync("Echoes back the input");
        await Expect(page.Locator(".approval-arguments")).ToContainTextAsync("reset [REDACTED:email] with password=[REDACTED:secret]");
        await Expect(page.Locator(".approval-arguments")).Not.ToContainTextAsync("hunter2");
        await Expect(page.Locator("#pending-approvals-badge")).ToHaveTextAsync("1");
        Assert.False(call.IsCompleted);
        await page.ClickAsync(".approve-button");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();

        var result = await call;
        Assert.Contains("Echo: reset ada@example.com with password=hunter2", Assert.IsType<TextContentBlock>(result.Content[0]).Text, StringComparison.Ordinal);
        await Expect(page.GetByText("Nothing waiting for approval")).ToBeVisibleAsync();
        await Expect(page.Locator("#pending-approvals-badge")).ToHaveCountAsync(0);
        Assert.Empty(console.PageErrors);
    }
}
