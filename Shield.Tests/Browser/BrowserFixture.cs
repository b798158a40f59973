using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Shield.Tests.Browser.BrowserFixture))]

namespace Shield.Tests.Browser;

/// <summary>
/// One headless Debian Chromium for the whole test run, driven by Playwright (installed by <c>.ci/run</c>;
/// <c>SHIELD_CHROMIUM</c> overrides the path). Each test opens its own browser context.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium has not started.");

    public async ValueTask InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("SHIELD_CHROMIUM") ?? "/usr/bin/chromium";
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
