using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>What a person does first: sign in, find their way, and be kept out of what is not theirs.</summary>
public sealed class SignInTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnAdmin_SignsIn_AndSeesTheDashboardAndEveryAdminArea()
    {
        await using var console = await ConsoleInBrowser.StartAsync(browser);

        await console.SignInAsync(ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        await console.WaitUntilInteractiveAsync();

        await Expect(console.Page.Locator("#page-title")).ToHaveTextAsync("Dashboard");
        var navigation = console.Page.Locator("a.mud-nav-link");
        await Expect(navigation).ToHaveTextAsync(["Dashboard", "Servers", "Tools", "Agents & Grants", "Sessions", "Audit", "Posture", "Users & Settings"]);
        await console.Page.ClickAsync("text=Servers");
        await Expect(console.Page.Locator("#page-title")).ToHaveTextAsync("Servers");
        await Expect(console.Page.GetByText("No MCP servers registered yet")).ToBeVisibleAsync();
        Assert.Empty(console.PageErrors);
    }

    [Fact]
    public async Task TheDarkTheme_IsRemembered_AcrossVisits()
    {
        await using var console = await ConsoleInBrowser.StartAsync(browser);
        await console.SignInAsync(ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        await console.WaitUntilInteractiveAsync();
        await Expect(console.Page.Locator("#theme-toggle")).ToHaveAttributeAsync("aria-label", "Toggle dark theme");

        await console.Page.ClickAsync("#theme-toggle");
        await console.Page.WaitForFunctionAsync("() => localStorage.getItem('shield.theme') === 'dark'");
        await console.Page.ReloadAsync();
        await console.WaitUntilInteractiveAsync();

        // The light palette's background is white; the dark one is not.
        await console.Page.WaitForFunctionAsync(
            "() => getComputedStyle(document.documentElement).getPropertyValue('--mud-palette-background').trim() !== 'rgba(255,255,255,1)'");
    }

    [Fact]
    public async Task AReviewer_SignsIn_AndIsRefusedTheServersPage()
    {
        await using var console = await ConsoleInBrowser.StartAsync(browser);
        var reviewer = ShieldAppFactory.NewEmail("reviewer");
        await console.App.CreateUserAsync(reviewer, ShieldRoles.Reviewer);

        await console.SignInAsync(reviewer, ShieldAppFactory.Password);
        await console.WaitUntilInteractiveAsync();
        await Expect(console.Page.Locator("a.mud-nav-link")).ToHaveTextAsync(["Dashboard", "Approvals"]);

        await console.Page.GotoAsync("/servers");

        await Expect(console.Page.Locator("#page-title")).ToHaveTextAsync("You don't have access to this area");
        await Expect(console.Page.GetByText("No MCP servers registered yet")).ToHaveCountAsync(0);
        Assert.Empty(console.PageErrors);
    }

    [Fact]
    public async Task AWrongPassword_IsExplained_AndTheFormStays()
    {
        await using var console = await ConsoleInBrowser.StartAsync(browser);

        await console.Page.GotoAsync("/account/login");
        await console.Page.FillAsync("#email", ShieldAppFactory.AdminEmail);
        await console.Page.FillAsync("#password", "Not-The-Passw0rd");
        await console.Page.ClickAsync("#signin-submit");

        await Expect(console.Page.Locator("#signin-error")).ToContainTextAsync("The email or password is wrong");
        await Expect(console.Page.Locator("#email")).ToHaveValueAsync(ShieldAppFactory.AdminEmail);
    }

    [Fact]
    public async Task SigningOut_EndsTheSession()
    {
        await using var console = await ConsoleInBrowser.StartAsync(browser);
        await console.SignInAsync(ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        await console.WaitUntilInteractiveAsync();

        await console.Page.ClickAsync("#user-menu");
        await console.Page.ClickAsync("#sign-out");
        await console.Page.WaitForURLAsync($"{console.Root}/account/login");
        await console.Page.GotoAsync("/settings");

        await Expect(console.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/login"));
    }
}
