using Microsoft.Playwright;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>The console as published and run in Production, not as <c>dotnet run</c> serves it in Development.</summary>
public sealed class PublishedConsoleTests(BrowserFixture browser, PublishedConsole console) : IClassFixture<PublishedConsole>
{
    [Fact]
    public async Task InProduction_ThePublishedConsole_LoadsItsScriptsAndStyles_AndIsInteractive()
    {
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = console.Root, IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        List<string> assets = [];
        List<string> failures = [];
        page.Response += (_, response) =>
        {
            lock (failures)
            {
                if (response.Request.ResourceType is "script" or "stylesheet")
                {
                    assets.Add(new Uri(response.Url).AbsolutePath);
                }

                if (response.Status >= 400 && !response.Url.Contains("favicon", StringComparison.Ordinal))
                {
                    failures.Add($"{response.Status} {response.Url}");
                }
            }
        };
        page.RequestFailed += (_, request) =>
        {
            lock (failures)
            {
                failures.Add($"failed {request.Url}");
            }
        };
        page.PageError += (_, error) =>
        {
            lock (failures)
            {
                failures.Add(error);
            }
        };

        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", ShieldAppFactory.AdminEmail);
        await page.FillAsync("#password", console.AdminPassword);
        await page.ClickAsync("#signin-submit");
        await page.WaitForURLAsync($"{console.Root}/");
        await page.Locator("#shield-app[data-interactive='true']").WaitForAsync();
        await page.ClickAsync("#user-menu"); // answered by the live circuit
        await Expect(page.Locator("#sign-out")).ToBeVisibleAsync();

        lock (failures)
        {
            Assert.Empty(failures);
            Assert.Contains(assets, a => a.StartsWith("/_framework/blazor.web", StringComparison.Ordinal));
            Assert.Contains(assets, a => a.StartsWith("/_content/MudBlazor/MudBlazor.min", StringComparison.Ordinal) && a.EndsWith(".js", StringComparison.Ordinal));
            Assert.Contains(assets, a => a.StartsWith("/_content/MudBlazor/MudBlazor.min", StringComparison.Ordinal) && a.EndsWith(".css", StringComparison.Ordinal));
        }
    }
}
