using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Common;
using Shield.Console.Grants;
using Shield.Console.Registry;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Registry;

public sealed class ToolReviewTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private ToolReview Review => app.Services.GetRequiredService<ToolReview>();

    [Fact]
    public async Task AChangedDefinition_ShowsTheConditionsItNoLongerFits_BeforeItIsApproved()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("refund", "Refunds.", """{"type":"object","properties":{"amount":{"type":"number"}}}""");
        await app.HttpServerAsync("refunds", upstream.Url);
        await app.DiscoverAsync("refunds");
        var seen = Assert.Single(await app.ToolsAsync("refunds"));
        await Review.ApproveAsync(seen.Id, seen.Fingerprint, Registrations.Admin, _cancel);
        var grant = new GrantInput(SubjectKind.Role, "refunders", "refunds", "refund", GrantEffect.Allow, "args.amount <= 500");
        Assert.Null((await app.Services.GetRequiredService<GrantBook>().AddAsync(grant, Registrations.Admin, _cancel)).Refusal);
        Assert.Empty((await Review.DetailAsync(seen.Id, _cancel))!.UnfitConditions!);

        upstream.Set("refund", "Refunds.", """{"type":"object","properties":{"amount":{"type":"string"}}}""");
        Assert.Equal(["refund"], (await app.DiscoverAsync("refunds")).Quarantined);

        var unfit = Assert.Single((await Review.DetailAsync(seen.Id, _cancel))!.UnfitConditions!);
        Assert.StartsWith("role:refunders → refunds__refund allow when args.amount <= 500: Against the input schema of refunds__refund: args.amount (a string) is compared with 500 (a number)",
            unfit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApprovalOfADefinitionThatChangedMeanwhile_IsRefused()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("moving", "Version one.");
        await app.HttpServerAsync("moving", upstream.Url);
        await app.DiscoverAsync("moving");
        var seen = Assert.Single(await app.ToolsAsync("moving"));
        Assert.True((await Review.ApproveAsync(seen.Id, seen.Fingerprint, Registrations.Admin, _cancel)).Value!.Callable);
        upstream.Set("moving", "Version two.");
        Assert.Equal(["moving"], (await app.DiscoverAsync("moving")).Quarantined);

        // Approving again what was reviewed before must not approve what the server offers now.
        var approval = await Review.ApproveAsync(seen.Id, seen.Fingerprint, Registrations.Admin, _cancel);

        Assert.Equal(RefusalKind.Conflict, approval.Refusal?.Kind);
        Assert.Contains("changed on its server since you reviewed it", approval.Refusal!.Message, StringComparison.Ordinal);
        var tool = Assert.Single(await app.ToolsAsync("moving"));
        Assert.Equal(ToolState.Quarantined, tool.State);
        Assert.False(tool.Callable);
    }

    [Fact]
    public async Task DecisionsAreRecorded_WithBeforeAndAfter()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("decided", "Decide me.");
        await app.HttpServerAsync("decisions", upstream.Url);
        await app.DiscoverAsync("decisions");
        var tool = Assert.Single(await app.ToolsAsync("decisions"));

        await Review.ApproveAsync(tool.Id, tool.Fingerprint, Registrations.Admin, _cancel);
        await Review.SetRiskAsync(tool.Id, RiskLevel.Critical, Registrations.Admin, _cancel);
        await Review.BlockAsync(tool.Id, Registrations.Admin, _cancel);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var changes = await db.GovernanceChanges.Where(c => c.SubjectKey == "decisions__decided").OrderBy(c => c.Id).ToListAsync(_cancel);
        Assert.Equal(["discovered", "approved", "risk-changed", "blocked"], changes.Select(c => c.Action));
        Assert.Contains("\"state\":\"Approved\"", changes[2].Before, StringComparison.Ordinal);
        Assert.Contains("\"risk\":\"Critical\"", changes[2].After, StringComparison.Ordinal);
        Assert.Equal(ToolState.Blocked, Assert.Single(await app.ToolsAsync("decisions")).State);
    }

    [Fact]
    public async Task BulkApproval_SkipsToolsThatChanged_AndApprovesTheRest_RecordingEachToolAndTheWholeAct()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("a", "A.");
        upstream.Set("b", "B.");
        await app.HttpServerAsync("bulk", upstream.Url);
        await app.DiscoverAsync("bulk");
        var reviewed = await app.ToolsAsync("bulk");
        upstream.Set("b", "B, changed.");
        await app.DiscoverAsync("bulk");

        var result = await Review.ApproveManyAsync([.. reviewed.Select(t => (t.Id, t.Fingerprint))], Registrations.Admin, _cancel);

        Assert.Equal(["bulk__a"], result.Approved);
        Assert.Single(result.Skipped);
        var records = await app.RecordsAsync(AuditEventTypes.Governance);
        // Each tool approved is on its own record, as a single approval is; the act as a whole says what was skipped and why.
        Assert.Single(records, r => (r.Subject, r.SubjectKey, r.Action) == ("tool", "bulk__a", "approved"));
        Assert.DoesNotContain(records, r => (r.Subject, r.SubjectKey, r.Action) == ("tool", "bulk__b", "approved"));
        var act = Assert.Single(records, r => (r.Subject, r.SubjectKey) == ("tools", "bulk"));
        Assert.Equal((Registrations.Admin.Name, "approved"), (act.ActorName, act.Action));
        var after = JsonDocument.Parse(act.After!).RootElement;
        Assert.Equal(["bulk__a"], after.GetProperty("approved").EnumerateArray().Select(t => t.GetString()));
        var skipped = Assert.Single(after.GetProperty("skipped").EnumerateArray());
        Assert.Equal("bulk__b", skipped.GetProperty("tool").GetString());
        Assert.Contains("changed on its server since you reviewed it", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABlockedToolThatDisappearsAndReturns_StaysBlocked()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("sneaky", "Was blocked.");
        upstream.Set("other", "Keeps the server non-empty.");
        await app.HttpServerAsync("launder", upstream.Url);
        await app.DiscoverAsync("launder");
        var sneaky = (await app.ToolsAsync("launder")).Single(t => t.Name == "sneaky");
        await Review.BlockAsync(sneaky.Id, Registrations.Admin, _cancel);

        upstream.Remove("sneaky");
        await app.DiscoverAsync("launder");
        upstream.Set("sneaky", "Was blocked, and is back.");
        await app.DiscoverAsync("launder");

        Assert.Equal(ToolState.Blocked, (await app.ToolsAsync("launder")).Single(t => t.Name == "sneaky").State);
    }
}
