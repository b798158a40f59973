using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Grants;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>A matrix wider than the page: every column can be scrolled to, and every symbol is drawn.</summary>
public sealed class AccessMatrixLayoutTests(BrowserFixture browser)
{
    [Fact]
    public async Task AWideMatrix_ScrollsWithinItsCard_ShowsEveryColumnWhole_AndDrawsEachSymbol()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var upstream = await UpstreamServer.StartAsync();
        await using var console = await ConsoleInBrowser.StartAsync(browser);
        var tools = Enumerable.Range(1, 14).Select(i => $"reconcile_quarterly_ledger_entries_{i:00}").ToArray();
        await console.App.ApprovedToolsAsync("finance-ledger", upstream, tools);
        await console.App.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("invoice-bot", null, null, [], true), Registrations.Admin, cancel);
        var grants = console.App.Services.GetRequiredService<GrantBook>();
        await grants.AddAsync(new GrantInput(SubjectKind.Agent, "invoice-bot", "finance-ledger", tools[0], GrantEffect.Approve), Registrations.Admin, cancel);
        var page = console.Page;
        await page.SetViewportSizeAsync(1024, 768);
        await console.SignInAsync(ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword, "/agents");
        await console.WaitUntilInteractiveAsync();

        await page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Access matrix" }).ClickAsync();
        await Expect(page.Locator("#access-matrix thead th")).ToHaveCountAsync(tools.Length + 1);

        var layout = await page.EvaluateAsync<double[]>("""
            () => {
              const scroller = document.querySelector('.access-matrix-scroll');
              scroller.scrollLeft = scroller.scrollWidth;
              const box = scroller.getBoundingClientRect();
              const last = [...document.querySelectorAll('#access-matrix thead th')].pop().getBoundingClientRect();
              const clipped = [...document.querySelectorAll('#access-matrix thead th span')].filter(s => s.scrollWidth > s.clientWidth + 1 || s.getBoundingClientRect().width > s.parentElement.getBoundingClientRect().width + 1).length;
              return [document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth, last.right - box.right, box.right - window.innerWidth, clipped];
            }
            """);
        Assert.True(layout[0] <= 0, $"The page itself scrolls sideways by {layout[0]}px: the matrix should scroll within its card.");
        Assert.True(layout[1] <= 1, $"The last column ends {layout[1]}px beyond what its card shows.");
        Assert.True(layout[2] <= 0, $"The matrix's card reaches {layout[2]}px beyond the window.");
        Assert.Equal(0, layout[3]);

        var approve = page.Locator($"td[data-agent='invoice-bot'][data-tool='finance-ledger__{tools[0]}'] svg");
        await Expect(approve).ToBeVisibleAsync();
        Assert.True((await approve.BoundingBoxAsync())!.Width > 0);
        Assert.Empty(console.PageErrors);
    }
}
