using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Demo;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>
/// The README's five minutes in demo mode: the simulator's call that needs approval appears for the reviewer, who
/// approves it; the simulator gets its result; the auditor sees every step in the session's timeline and the chain
/// verifies; the administrator's screens show the demo's tools and access. Run with SHIELD_SCREENSHOTS=1 to refresh the
/// README's screenshots.
/// </summary>
public sealed partial class DemoWalkthroughTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheDemo_FromTheSimulatorsCall_ToTheReviewersApproval_ToTheAuditorsVerifiedTimeline()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Demo:Enabled"] = "true" } };
        app.UseKestrel(0);
        app.StartServer();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var credentials = app.Services.GetRequiredService<DemoCredentials>();
        await using var console = await ConsoleInBrowser.AttachAsync(browser, app, root);
        var page = console.Page;

        await console.SignInAsync(DemoCredentials.ReviewerEmail, credentials.PasswordOf(DemoCredentials.ReviewerEmail), "/approvals");
        await console.WaitUntilInteractiveAsync();
        await Expect(page.Locator("#demo-banner")).ToContainTextAsync("Demo mode");
        using var output = new StringWriter();
        var simulator = Task.Run(() => AgentSimulator.RunAsync(["--url", root, "--key", credentials.AgentKeys["support-bot"]], TextWriter.Synchronized(output), cancel), cancel);

        var card = page.Locator(".approval-card");
        await Expect(card).ToContainTextAsync("support-bot wants to call demo__send_email");
        await Expect(page.Locator(".approval-arguments")).ToContainTextAsync("[REDACTED:email]");
        await Expect(page.Locator(".approval-arguments")).ToContainTextAsync("password=[REDACTED:secret]");
        await console.ScreenshotAsync("approvals");
        await page.ClickAsync(".approve-button");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Approve", Exact = true }).ClickAsync();
        Assert.Equal(0, await simulator);
        var printed = output.ToString();
        Assert.Contains("✓ Recorded an email to ada.lovelace@example.com", printed, StringComparison.Ordinal);
        var session = SessionId().Match(printed).Groups[1].Value;
        await console.SignOutAsync();

        await console.SignInAsync(DemoCredentials.AuditorEmail, credentials.PasswordOf(DemoCredentials.AuditorEmail), $"/audit/sessions/{session}");
        await console.WaitUntilInteractiveAsync();
        var timeline = page.Locator("#timeline-table");
        foreach (var step in new[] { "tool-call.allowed", "tool-call.denied", "tool-call.approval-required", "tool-call.approved", "tool-call.completed" })
        {
            await Expect(timeline).ToContainTextAsync(step);
        }

        await Expect(page.Locator("#timeline-summary")).ToContainTextAsync("support-bot");
        await console.ScreenshotAsync("session-timeline");
        await page.GotoAsync("/audit");
        await console.WaitUntilInteractiveAsync();
        await page.ClickAsync("#verify-button");
        await Expect(page.Locator("#verify-result")).ToContainTextAsync("Intact");
        await console.ScreenshotAsync("audit");
        await console.SignOutAsync();

        await console.SignInAsync(DemoCredentials.AdminEmail, credentials.PasswordOf(DemoCredentials.AdminEmail), "/tools");
        await console.WaitUntilInteractiveAsync();
        await Expect(page.Locator("body")).ToContainTextAsync("delete_record");
        await console.ScreenshotAsync("tools");
        await page.GotoAsync("/agents");
        await console.WaitUntilInteractiveAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Access matrix" }).ClickAsync();
        await Expect(page.Locator("td[data-agent='support-bot'][data-tool='demo__send_email']")).ToHaveClassAsync("decision-approve");
        await console.ScreenshotAsync("access-matrix");
        await page.GotoAsync("/");
        await console.WaitUntilInteractiveAsync();
        var chart = page.Locator("#activity-chart svg").First;
        await Expect(chart).ToBeVisibleAsync();
        var (box, drawn) = (await page.Locator("#activity-chart").BoundingBoxAsync(), await chart.BoundingBoxAsync());
        Assert.True(drawn!.Width > box!.Width * 0.9, $"The chart is {drawn.Width} px wide in a card of {box.Width} px: it should fill it.");
        await console.ScreenshotAsync("dashboard");
        Assert.Empty(console.PageErrors);
    }

    [GeneratedRegex(@"✓ session ([0-9a-f-]{36})")]
    private static partial Regex SessionId();
}
