using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>
/// An administrator registers an agent, writes a condition the tool's schema refuses and sees why, grants it the tool,
/// sees it in the access matrix, and takes it back.
/// </summary>
public sealed class AccessTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnAdmin_GrantsAToolToAnAgent_SeesItInTheMatrix_AndRemovesIt()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var console = await ConsoleInBrowser.StartAsync(browser);
        await console.App.ApprovedToolsAsync("crm", upstream, "lookup", "delete_record");
        var page = console.Page;
        await console.SignInAsync(ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword, "/agents");
        await console.WaitUntilInteractiveAsync();

        await page.ClickAsync("#new-agent");
        await page.FillAsync("#agent-name", "invoice-bot");
        await page.FillAsync("#agent-roles", "finance-bots");
        await page.ClickAsync("#agent-save");
        await Expect(page.Locator("#agent-key")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^shk_[A-Za-z0-9_-]{43}$"));
        await page.ClickAsync("#agent-key-done");
        await Expect(page.Locator("#agents-table")).ToContainTextAsync("invoice-bot");

        await page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Grants" }).ClickAsync();
        await Select(page, "#grant-agent").ClickAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Option, new() { Name = "invoice-bot" }).ClickAsync();
        await Select(page, "#grant-server").ClickAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Option, new() { Name = "crm" }).ClickAsync();
        await Select(page, "#grant-tool").ClickAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Option, new() { Name = "lookup", Exact = true }).ClickAsync();

        // A condition that does not fit the tool's pinned input schema is refused, with what and where under the field.
        await page.FillAsync("#grant-when", "args.text > 3");
        await page.ClickAsync("#grant-add");
        await Expect(page.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync(
            "Against the input schema of crm__lookup: args.text (a string) is compared with 3 (a number)");
        await Expect(page.GetByText("No grants yet")).ToBeVisibleAsync();

        await page.FillAsync("#grant-when", "");
        await page.ClickAsync("#grant-add");
        await Expect(page.Locator("#grants-table")).ToContainTextAsync("agent:invoice-bot → crm__lookup");

        await page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Access matrix" }).ClickAsync();
        var cell = page.Locator("td[data-agent='invoice-bot'][data-tool='crm__lookup']");
        // Discovered without annotations, the tool's risk is high: granted, every call still waits for a person.
        await Expect(cell).ToHaveClassAsync("decision-approve");
        await Expect(cell).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("^Allowed by the grant agent:invoice-bot → crm__lookup allow, but the tool's risk is high"));
        await Expect(page.Locator("td[data-agent='invoice-bot'][data-tool='crm__delete_record']")).ToHaveClassAsync("decision-deny");

        // From the agent's row to its grants, and a removal that is confirmed first and takes the tool away.
        await page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Agents" }).ClickAsync();
        await page.GetByLabel("Show the grants of invoice-bot").ClickAsync();
        await Expect(page.Locator("#grant-filter")).ToHaveValueAsync("agent:invoice-bot");
        await page.GetByLabel("Remove agent:invoice-bot → crm__lookup allow").ClickAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
        await Expect(page.GetByText("No grants yet")).ToBeVisibleAsync();
        await page.GetByRole(Microsoft.Playwright.AriaRole.Tab, new() { Name = "Access matrix" }).ClickAsync();
        await Expect(cell).ToHaveClassAsync("decision-deny");
        Assert.Empty(console.PageErrors);
    }

    // A MudSelect with a value hides the input its id lands on; open it through its visible control.
    private static Microsoft.Playwright.ILocator Select(Microsoft.Playwright.IPage page, string id) =>
        page.Locator(".mud-select", new() { Has = page.Locator(id) }).First;
}
