using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Console.Grants;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

/// <summary><c>POST /api/governance/import?dryRun=true</c>: the document's grants previewed against the trail, and nothing saved.</summary>
public sealed class GovernanceDryRunTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private const string Document = """
        {"version":1,"grants":[{"subject":"agent:refund-bot","server":"payments","tool":"refund","effect":"allow","when":"args.amount <= 500"}]}
        """;

    [Fact]
    public async Task ADryRun_PreviewsTheGrantsOverTheTrailsLastDays_AndSavesNothing()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var app = new ShieldAppFactory();
        upstream.Set("refund", "Refunds a payment.", """{"type":"object","properties":{"amount":{"type":"number"},"note":{"type":"string"}}}""");
        await app.HttpServerAsync("payments", upstream.Url);
        await app.ApproveDiscoveredAsync("payments");
        await RelayHarness.AgentAsync(app, "refund-bot", ("payments", "refund", GrantEffect.Allow));
        var writer = app.Services.GetRequiredService<AuditWriter>();
        var now = DateTime.UtcNow;
        foreach (var (daysAgo, arguments) in new[] { (1, """{"amount":120}"""), (2, """{"amount":720}"""), (3, """{"amount":"[REDACTED:secret]"}"""), (20, """{"amount":900}""") })
        {
            await writer.AppendAsync(new AuditRecord
            {
                AtUtc = now.AddDays(-daysAgo), EventType = AuditEventTypes.CallAllowed, ActorKind = "agent", ActorId = "id", ActorName = "refund-bot",
                Server = "payments", Tool = "refund", Task = "refunds", RedactedArguments = arguments, Decision = "Allow",
            }, _cancel);
        }

        var (records, changes) = await CountsAsync(app);
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var response = await admin.PostAsync("/api/governance/import?dryRun=true&days=7", new StringContent(Document, Encoding.UTF8, "application/json"), _cancel);
        var tooLong = await admin.PostAsync("/api/governance/import?dryRun=true&days=400", new StringContent(Document, Encoding.UTF8, "application/json"), _cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);
        Assert.False(result.GetProperty("applied").GetBoolean());
        Assert.True(result.GetProperty("dryRun").GetBoolean());
        var preview = result.GetProperty("preview");
        Assert.Equal(3, preview.GetProperty("examined").GetInt32());
        Assert.Equal(20_000, preview.GetProperty("cap").GetInt32());
        Assert.Equal(1, preview.GetProperty("changed").GetInt32());
        var change = Assert.Single(preview.GetProperty("changes").EnumerateArray());
        Assert.Equal(("refund-bot", "refund", "allow", "deny", 1),
            (change.GetProperty("agent").GetString(), change.GetProperty("tool").GetString(), change.GetProperty("from").GetString(), change.GetProperty("to").GetString(),
                change.GetProperty("calls").GetInt32()));
        Assert.Equal(1, preview.GetProperty("notEvaluated").GetInt32());
        Assert.Contains("args.amount, which the trail holds redacted", Assert.Single(preview.GetProperty("notEvaluatedCalls").EnumerateArray()).GetProperty("why").GetString(),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("preview from 1 to 90 days", await tooLong.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        // Nothing was saved: the grant is as it was, and neither the governance history nor the trail grew.
        Assert.Null(Assert.Single(await app.Services.GetRequiredService<GrantBook>().ListAsync(_cancel)).When);
        Assert.Equal((records, changes), await CountsAsync(app));
    }

    private async Task<(int Records, int Changes)> CountsAsync(ShieldAppFactory app)
    {
        await app.Services.GetRequiredService<AuditWriter>().FlushAsync(_cancel);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        return (await db.AuditRecords.CountAsync(_cancel), await db.GovernanceChanges.CountAsync(_cancel));
    }
}
