using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Browser;

/// <summary>
/// The console on a real Kestrel socket on 127.0.0.1, and a fresh browser context that records every
/// content-security-policy violation and script error the page reports.
/// </summary>
public sealed class ConsoleInBrowser : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly bool _ownsApp;

    private ConsoleInBrowser(ShieldAppFactory app, bool ownsApp, IBrowserContext context, IPage page, string root)
    {
        App = app;
        _ownsApp = ownsApp;
        _context = context;
        Page = page;
        Root = root;
    }

    public ShieldAppFactory App { get; }

    public IPage Page { get; }

    public string Root { get; }

    public List<string> PageErrors { get; } = [];

    public static Task<ConsoleInBrowser> StartAsync(BrowserFixture browser)
    {
        var app = new ShieldAppFactory();
        app.UseKestrel(0);
        app.StartServer();
        return OpenAsync(browser, app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single(), ownsApp: true);
    }

    /// <summary>A browser on a console already running (such as a <see cref="RelayHarness"/>'s), which its owner disposes.</summary>
    public static Task<ConsoleInBrowser> AttachAsync(BrowserFixture browser, ShieldAppFactory app, string root) => OpenAsync(browser, app, root, ownsApp: false);

    private static async Task<ConsoleInBrowser> OpenAsync(BrowserFixture browser, ShieldAppFactory app, string root, bool ownsApp)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = root });
        // A safety net, not a measure: on 2 cores shared with the rest of the suite a first page can take a while.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        var session = new ConsoleInBrowser(app, ownsApp, context, page, root);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.Contains("favicon", StringComparison.Ordinal))
            {
                lock (session.PageErrors)
                {
                    session.PageErrors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (session.PageErrors)
            {
                session.PageErrors.Add(error);
            }
        };
        return session;
    }

    /// <summary>Signs in through the form and waits until the console is interactive (its circuit is up).</summary>
    public async Task SignInAsync(string email, string password, string returnPath = "/")
    {
        await Page.GotoAsync($"/account/login?returnUrl={Uri.EscapeDataString(returnPath)}");
        await Page.FillAsync("#email", email);
        await Page.FillAsync("#password", password);
        await Page.ClickAsync("#signin-submit");
        await Page.WaitForURLAsync($"{Root}{returnPath}");
    }

    /// <summary>
    /// Saves the page as <c>docs/screenshots/&lt;name&gt;.png</c> when <c>SHIELD_SCREENSHOTS</c> is set (to 1, or to a folder),
    /// so the README's pictures are made by the tests that walk the same screens.
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        if (Environment.GetEnvironmentVariable("SHIELD_SCREENSHOTS") is not { Length: > 0 } target)
        {
            return;
        }

        var folder = target == "1" ? Repository.PathOf("docs", "screenshots") : target;
        Directory.CreateDirectory(folder);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png") });
    }

    /// <summary>Signs out through the user menu.</summary>
    public async Task SignOutAsync()
    {
        await Page.ClickAsync("#user-menu");
        await Page.ClickAsync("#sign-out");
        await Page.WaitForURLAsync($"{Root}/account/login");
    }

    /// <summary>Waits for the marker only the interactive render sets, so clicks reach the live circuit.</summary>
    public Task WaitUntilInteractiveAsync() => Page.Locator("#shield-app[data-interactive='true']").WaitForAsync();

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        if (_ownsApp)
        {
            await App.DisposeAsync();
        }
    }
}
