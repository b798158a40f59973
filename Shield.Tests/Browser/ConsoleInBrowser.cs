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

    private ConsoleInBrowser(ShieldAppFactory app, IBrowserContext context, IPage page, string root)
    {
        App = app;
        _context = context;
        Page = page;
        Root = root;
    }

    public ShieldAppFactory App { get; }

    public IPage Page { get; }

    public string Root { get; }

    public List<string> PageErrors { get; } = [];

    public static async Task<ConsoleInBrowser> StartAsync(BrowserFixture browser)
    {
        var app = new ShieldAppFactory();
        app.UseKestrel(0);
        app.StartServer();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = root });
        var page = await context.NewPageAsync();
        var session = new ConsoleInBrowser(app, context, page, root);
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

    /// <summary>Waits for the marker only the interactive render sets, so clicks reach the live circuit.</summary>
    public Task WaitUntilInteractiveAsync() => Page.Locator("#shield-app[data-interactive='true']").WaitForAsync();

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        await App.DisposeAsync();
    }
}
