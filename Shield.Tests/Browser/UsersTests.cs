using System.Net;
using System.Net.Http.Json;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>An administrator manages local accounts in the console.</summary>
public sealed class UsersTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnAdmin_CreatesAReviewer_ThenDisablesTheAccount_AfterConfirming()
    {
        await using var console = await ConsoleInBrowser.StartAsync(browser);
        var email = ShieldAppFactory.NewEmail("reviewer");
        await console.SignInAsync(ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword, "/settings");
        await console.WaitUntilInteractiveAsync();
        var page = console.Page;

        await page.ClickAsync("#new-user");
        await page.FillAsync("#user-email", email);
        await page.FillAsync("#user-password", "short");
        await page.CheckAsync("#role-reviewer");
        await page.ClickAsync("#user-save");
        await Expect(page.Locator("#user-dialog-error")).ToContainTextAsync("Passwords must be at least 12 characters");
        await page.FillAsync("#user-password", ShieldAppFactory.Password);
        await page.ClickAsync("#user-save");

        var row = page.Locator("#users-table tr", new() { HasText = email });
        await Expect(row).ToContainTextAsync("Reviewer");
        await Expect(row).ToContainTextAsync("Enabled");
        using var client = new HttpClient { BaseAddress = new Uri(console.Root) };
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/auth/login", new { email, password = ShieldAppFactory.Password }, TestContext.Current.CancellationToken)).StatusCode);

        await row.GetByLabel($"Disable {email}").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Disable", Exact = true }).ClickAsync();

        await Expect(row).ToContainTextAsync("Disabled");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/auth/login", new { email, password = ShieldAppFactory.Password }, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Empty(console.PageErrors);
    }
}
