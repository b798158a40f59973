using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Governance;
using Shield.Console.Grants;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

/// <summary>A grant's <c>mode</c>, and a whole document in log-only mode, which changes nothing that is enforced.</summary>
public sealed class GrantModeImportTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private async Task<ShieldAppFactory> WithRefundToolAsync(UpstreamServer upstream)
    {
        var app = new ShieldAppFactory();
        upstream.Set("refund", "Refunds a payment.", """{"type":"object","properties":{"amount":{"type":"number"}}}""");
        await app.HttpServerAsync("payments", upstream.Url);
        Assert.True((await app.DiscoverAsync("payments")).Succeeded);
        return app;
    }

    [Fact]
    public async Task ALogOnlyGrant_NextToTheEnforcedOne_IsImported_AndExportedWithItsMode()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var app = await WithRefundToolAsync(upstream);

        var result = await app.Services.GetRequiredService<GovernanceImporter>().ImportAsync(JsonSerializer.Serialize(new
        {
            version = 1,
            grants = new object[]
            {
                new { subject = "role:finance", server = "payments", tool = "refund", effect = "allow" },
                new { subject = "role:finance", server = "payments", tool = "refund", effect = "deny", when = "args.amount > 500", mode = "log-only" },
            },
        }), Registrations.Admin, _cancel);

        Assert.True(result.Applied, string.Join("; ", result.Errors.Select(e => e.Message)));
        var exported = await app.Services.GetRequiredService<GovernanceExporter>().ExportAsync(_cancel);
        Assert.Equal([null, "log-only"], exported.Grants!.Select(g => g.Mode));
        Assert.Equal([GrantMode.Enforce, GrantMode.LogOnly], (await app.Services.GetRequiredService<GrantBook>().ListAsync(_cancel)).Select(g => g.Mode));
    }

    [Fact]
    public async Task ALogOnlyDocument_ReplacesOnlyTheLogOnlyGrants()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await using var app = await WithRefundToolAsync(upstream);
        var book = app.Services.GetRequiredService<GrantBook>();
        Assert.Null((await book.AddAsync(new(SubjectKind.Role, "finance", "payments", "refund", GrantEffect.Allow), Registrations.Admin, _cancel)).Refusal);
        Assert.Null((await book.AddAsync(new(SubjectKind.Role, "ops", "payments", "refund", GrantEffect.Deny, Mode: GrantMode.LogOnly), Registrations.Admin, _cancel)).Refusal);

        var result = await app.Services.GetRequiredService<GovernanceImporter>().ImportAsync(JsonSerializer.Serialize(new
        {
            version = 1,
            mode = "log-only",
            grants = new[] { new { subject = "role:finance", server = "payments", tool = "refund", effect = "approve", when = "args.amount > 500" } },
        }), Registrations.Admin, _cancel);

        Assert.True(result.Applied, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.Equal(["role:finance → payments__refund allow", "role:finance → payments__refund approve when args.amount > 500 (log-only)"],
            (await book.ListAsync(_cancel)).Select(g => g.Description));
    }

    [Fact]
    public void ALogOnlyDocument_ThatWouldChangeWhatIsEnforced_IsRefusedWhereItWould()
    {
        var (_, errors) = GovernanceReader.Read(JsonSerializer.Serialize(new
        {
            version = 1,
            mode = "log-only",
            agents = Array.Empty<object>(),
            grants = new[] { new { subject = "role:finance", server = "payments", tool = "refund", effect = "allow", mode = "enforce" } },
        }));
        var (_, badMode) = GovernanceReader.Read("""{"version":1,"grants":[{"subject":"role:a","server":"payments","tool":"refund","effect":"allow","mode":"shadow"}]}""");
        // Written once without a mode and once with the same mode spelled out: the same grant twice.
        var (_, twice) = GovernanceReader.Read("""
            {"version":1,"grants":[{"subject":"role:a","server":"payments","tool":"refund","effect":"allow"},
              {"subject":"role:a","server":"payments","tool":"refund","effect":"deny","mode":"enforce"},
              {"subject":"role:a","server":"payments","tool":"refund","effect":"deny","mode":"log-only"}]}
            """);

        Assert.Equal(["$.agents", "$.grants[0].mode"], errors.Select(e => e.Path));
        Assert.StartsWith("A log-only document changes nothing that is enforced", errors[0].Message, StringComparison.Ordinal);
        Assert.Equal("$.grants[0].mode", Assert.Single(badMode).Path);
        Assert.Equal("'shadow' is not a mode: use \"enforce\" or \"log-only\" (or leave it out for the document's).", badMode[0].Message);
        Assert.Equal(("$.grants[1]", "role:a has more than one enforced grant for payments/refund."), (Assert.Single(twice).Path, twice[0].Message));
    }
}
