using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>
/// Shield finds a forged record at start: an administrator sees why nothing is recorded, acknowledges it with a reason,
/// and verification then names the acknowledged break and checks the rest.
/// </summary>
public sealed class AuditTamperTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnAdministrator_SeesTamperingFoundAtStart_AcknowledgesIt_AndVerificationChecksAroundIt()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await first.Services.GetRequiredService<AuditWriter>().AppendAsync(StoppedTrail.Call(1), cancel);
        }

        await StoppedTrail.AppendForgedAsync(folder, cancel);
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        app.UseKestrel(0);
        app.StartServer();
        await using var console = await ConsoleInBrowser.AttachAsync(browser, app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        await console.SignInAsync(ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword, "/audit");
        await console.WaitUntilInteractiveAsync();
        var page = console.Page;
        await Expect(page.Locator("#audit-tamper-banner")).ToContainTextAsync("The audit trail was altered.");
        await Expect(page.Locator("#audit-tamper-banner")).ToContainTextAsync("carries no seal");

        await page.ClickAsync("#audit-tamper-acknowledge");
        await Expect(page.Locator("#tamper-confirm")).ToBeDisabledAsync();
        await page.FillAsync("#tamper-reason", "Forged row found at start; see INC-7.");
        await page.ClickAsync("#tamper-confirm");

        await Expect(page.Locator("#audit-tamper-banner")).ToContainTextAsync("acknowledged in record");
        await page.ClickAsync("#verify-button");
        await Expect(page.Locator("#verify-result")).ToContainTextAsync("Intact");
        await Expect(page.Locator("#verify-acknowledged")).ToContainTextAsync("Forged row found at start; see INC-7.");
        Assert.Empty(console.PageErrors);
    }
}
