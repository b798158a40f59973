using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Governance;
using Shield.Console.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

/// <summary>A grant's <c>when</c> in the governance document: checked on import like the console checks it, and exported as written.</summary>
public sealed class GrantConditionImportTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private const string Schema = """{"type":"object","properties":{"amount":{"type":"number"},"currency":{"type":"string"}}}""";

    private static string Document(params (string Tool, string When)[] grants) => JsonSerializer.Serialize(new
    {
        version = 1,
        grants = grants.Select((g, i) => new { subject = $"role:finance-{i}", server = "payments", tool = g.Tool, effect = "allow", when = g.When }),
    });

    private async Task<ShieldAppFactory> WithRefundToolAsync(UpstreamServer upstream)
    {
        var app = new ShieldAppFactory();
        upstream.Set("refund", "Refunds a payment.", Schema);
        await app.HttpServerAsync("payments", upstream.Url);
        Assert.True((await app.DiscoverAsync("payments")).Succeeded);
        return app;
    }

    [Fact]
    public async Task ABadCondition_IsRefusedAtItsPath_WithTheFieldNamed_AndNothingIsApplied()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var app = await WithRefundToolAsync(upstream);
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var response = await admin.PostAsync("/api/governance/import",
            new StringContent(Document(("refund", "args.amount <= '500'"), ("*", "args.currncy == 'EUR'")), Encoding.UTF8, "application/json"), _cancel);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["$.grants[0].when", "$.grants[1].when"], errors.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("Against the input schema of payments__refund: args.amount (a number) is compared with '500' (a string)",
            errors.GetProperty("$.grants[0].when")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("The condition fits no tool of payments, so the grant on * could never apply: payments__refund: args.currncy is not an argument of this tool",
            errors.GetProperty("$.grants[1].when")[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await app.Services.GetRequiredService<GrantBook>().ListAsync(_cancel));
    }

    [Fact]
    public async Task AGoodCondition_IsImported_AndExportedAsWritten()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var app = await WithRefundToolAsync(upstream);
        var importer = app.Services.GetRequiredService<GovernanceImporter>();

        var result = await importer.ImportAsync(Document(("refund", "args.amount <= 500 && args.currency == 'EUR'")), Registrations.Admin, _cancel);

        Assert.True(result.Applied, string.Join("; ", result.Errors.Select(e => e.Message)));
        var exported = await app.Services.GetRequiredService<GovernanceExporter>().ExportAsync(_cancel);
        Assert.Equal("args.amount <= 500 && args.currency == 'EUR'", Assert.Single(exported.Grants!).When);
        Assert.Equal("args.amount <= 500 && args.currency == 'EUR'", Assert.Single(await app.Services.GetRequiredService<GrantBook>().ListAsync(_cancel)).When);
    }
}
