using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Auditing;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Shield.Tests.Browser;

/// <summary>An auditor searches the trail, opens a record, verifies the chain and exports what the filter matches.</summary>
public sealed class AuditTests(BrowserFixture browser)
{
    [Fact]
    public async Task AnAuditor_FiltersTheTrail_VerifiesIt_AndExportsWhatMatches()
    {
        await using var console = await ConsoleInBrowser.StartAsync(browser);
        var app = console.App;
        var auditor = await app.CreateUserAsync(ShieldAppFactory.NewEmail("auditor"), ShieldRoles.Auditor);
        await app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("invoice-bot", null, "finance@shield.test", [], true), Registrations.Admin, TestContext.Current.CancellationToken);
        var writer = app.Services.GetRequiredService<AuditWriter>();
        foreach (var tool in new[] { "lookup", "delete_record", "lookup" })
        {
            await writer.AppendAsync(new AuditRecord
            {
                AtUtc = DateTime.UtcNow, EventType = tool == "delete_record" ? AuditEventTypes.CallDenied : AuditEventTypes.CallCompleted,
                ActorKind = Actor.Agent, ActorId = "id", ActorName = "invoice-bot", SessionId = Guid.NewGuid(), Task = "month-end close",
                Server = "crm", Tool = tool, Decision = tool == "delete_record" ? "deny" : "allow",
            }, TestContext.Current.CancellationToken);
        }

        await console.SignInAsync(auditor.Email, ShieldAppFactory.Password, "/audit");
        await console.WaitUntilInteractiveAsync();
        var page = console.Page;
        // The three calls, the agent's creation, the accounts' (the first administrator's, the auditor's) and the start of sealing.
        await Expect(page.Locator("#audit-table tbody tr")).ToHaveCountAsync(7);

        await page.FillAsync("#filter-tool", "delete_record");
        await page.ClickAsync("#filter-search");
        await Expect(page.Locator("#audit-table tbody tr")).ToHaveCountAsync(1);

        await page.ClickAsync("#audit-table tbody tr");
        await Expect(page.Locator("#detail-hash-check")).ToContainTextAsync("Hash matches its content");
        await page.Locator(".mud-dialog").GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Close", Exact = true }).ClickAsync();
        await Expect(page.Locator(".mud-dialog")).ToHaveCountAsync(0);

        await page.ClickAsync("#verify-button");
        await Expect(page.Locator("#verify-result")).ToContainTextAsync("Intact: 7 records");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-jsonl"));
        var exported = await File.ReadAllLinesAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        var line = Assert.Single(exported);
        Assert.Contains("\"tool\":\"delete_record\"", line, StringComparison.Ordinal);
        Assert.Empty(console.PageErrors);
    }
}
