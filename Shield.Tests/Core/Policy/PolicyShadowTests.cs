using System.Text.Json;
using CsCheck;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Tests.Core.Policy;

/// <summary>Log-only grants: never enforced, and every decision they would have changed is carried as the decision's shadow.</summary>
public sealed class PolicyShadowTests
{
    private const string Agent = "refund-bot";
    private const string Role = "finance-bots";

    private static PolicySnapshot Snapshot(params Grant[] grants) => new(
        [new PolicyTool("payments", "refund", ToolState.Approved, true, RiskLevel.Medium), new PolicyTool("payments", "balance", ToolState.Approved, true, RiskLevel.Low)],
        [new PolicyAgent(Agent, true, [Role])], grants, RiskLevel.High);

    private static Grant A(GrantEffect effect, string? when = null, GrantMode mode = GrantMode.Enforce, SubjectKind kind = SubjectKind.Agent, string tool = "refund") =>
        new() { SubjectKind = kind, Subject = kind == SubjectKind.Agent ? Agent : Role, Server = "payments", Tool = tool, Effect = effect, When = when, Mode = mode };

    private static PolicyCall Amount(object amount) => new(JsonSerializer.SerializeToElement(new { amount }));

    private static PolicyDecision Decide(PolicySnapshot snapshot, PolicyCall call, string tool = "refund") => snapshot.Decide(Agent, "payments", tool, call);

    [Fact]
    public void DenyShadowOverAnAllow_StaysAllowed_AndRecordsWouldDeny_WithTheGrantAndWhatItRead()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow), A(GrantEffect.Deny, "args.amount > 500", GrantMode.LogOnly));

        var large = Decide(snapshot, Amount(720));
        var small = Decide(snapshot, Amount(120));

        Assert.Equal(DecisionKind.Allow, large.Kind);
        Assert.Equal("Allowed by the grant agent:refund-bot → payments__refund allow.", large.Reason);
        Assert.Equal(GrantMode.Enforce, large.Grant!.Mode);
        var shadow = Assert.IsType<ShadowDecision>(large.Shadow);
        Assert.Equal("would-deny", shadow.Label);
        Assert.Equal(GrantMode.LogOnly, shadow.Grant!.Mode);
        Assert.Equal("Denied by the grant agent:refund-bot → payments__refund deny when args.amount > 500 (log-only): args.amount was 720.", shadow.Reason);
        Assert.Null(small.Shadow);
    }

    [Fact]
    public void AllowShadow_WhereNothingIsGranted_StaysDenied_AndRecordsWouldAllow()
    {
        var decision = Decide(Snapshot(A(GrantEffect.Allow, "args.amount <= 500", GrantMode.LogOnly)), Amount(120));

        Assert.Equal(DecisionKind.Deny, decision.Kind);
        Assert.Equal("No grant gives this agent, or any of its roles, this tool.", decision.Reason);
        Assert.Equal("would-allow", decision.Shadow!.Label);
    }

    [Fact]
    public void ApproveShadow_RecordsWouldAsk()
    {
        var decision = Decide(Snapshot(A(GrantEffect.Allow, kind: SubjectKind.Role, tool: Grant.AllTools), A(GrantEffect.Approve, "args.amount > 10000", GrantMode.LogOnly)), Amount(20000));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
        Assert.Equal(DecisionKind.RequireApproval, decision.Shadow!.Kind);
        Assert.Equal("would-ask", decision.Shadow.Label);
    }

    [Fact]
    public void ShadowWithAnErroringCondition_RecordsTheError_AndTheEnforcedDecisionStays()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow), A(GrantEffect.Allow, "args.currency == 'EUR'", GrantMode.LogOnly, SubjectKind.Role));

        var decision = Decide(snapshot, Amount(120));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
        Assert.Equal("Allowed by the grant agent:refund-bot → payments__refund allow.", decision.Reason);
        Assert.Equal("would-deny", decision.Shadow!.Label);
        Assert.StartsWith("Denied: the condition of the grant role:finance-bots → payments__refund allow when args.currency == 'EUR' (log-only) could not be evaluated:", decision.Shadow.Reason);
    }

    [Fact]
    public void ALogOnlyGrantNextToTheEnforcedOneOnTheSameTarget_IsKeptApart()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow), A(GrantEffect.Deny, mode: GrantMode.LogOnly));

        var decision = Decide(snapshot, Amount(1));

        Assert.Equal(DecisionKind.Allow, decision.Kind);
        Assert.Equal("would-deny", decision.Shadow!.Label);
        Assert.Single(snapshot.Grants);
        Assert.Single(snapshot.LogOnlyGrants);
    }

    [Fact]
    public void WithoutACallInView_OrForAToolNoLogOnlyGrantTargets_ThereIsNoShadow()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow, tool: Grant.AllTools), A(GrantEffect.Deny, mode: GrantMode.LogOnly));

        Assert.Null(snapshot.Decide(Agent, "payments", "refund").Shadow);
        Assert.Null(Decide(snapshot, Amount(1), "balance").Shadow);
        Assert.Equal(DecisionKind.Allow, Decide(snapshot, Amount(1), "balance").Kind);
    }

    private static readonly Gen<Grant> AnyGrant =
        from kind in Gen.Enum<SubjectKind>()
        from tool in Gen.OneOf("refund", "balance", Grant.AllTools)
        from effect in Gen.Enum<GrantEffect>()
        from when in Gen.OneOf<string?>(null, "args.amount > 500", "args.amount <= 500", "args.currency == 'EUR'", "agent.name == 'refund-bot'")
        from mode in Gen.Enum<GrantMode>()
        select A(effect, when, mode, kind, tool);

    // A log-only grant never changes what is enforced: the decision with them equals the decision with them removed. Its
    // shadow, when there is one, differs from it and is what the log-only grants would have decided as enforced ones
    // (compared where no log-only grant shares its target with an enforced one, which a snapshot would fold into one).
    [Fact]
    public void ALogOnlyGrant_NeverChangesTheEnforcedDecision() =>
        Gen.Select(AnyGrant.List[0, 8], Gen.Int[0, 1000], Gen.OneOf("refund", "balance")).Sample((grants, amount, tool) =>
        {
            var unique = grants.DistinctBy(g => (g.SubjectKind, g.Tool, g.Mode)).ToList();
            var withShadow = Decide(Snapshot([.. unique]), Amount(amount), tool);
            var enforcedOnly = Decide(Snapshot([.. unique.Where(g => g.Mode == GrantMode.Enforce)]), Amount(amount), tool);
            var shared = unique.GroupBy(g => (g.SubjectKind, g.Tool)).Any(g => g.Count() > 1);
            var allEnforced = Decide(Snapshot([.. unique.Select(g => A(g.Effect, g.When, GrantMode.Enforce, g.SubjectKind, g.Tool))]), Amount(amount), tool);
            return withShadow.Kind == enforcedOnly.Kind && withShadow.Reason == enforcedOnly.Reason
                && withShadow.Grant?.Description == enforcedOnly.Grant?.Description
                && (withShadow.Shadow is null || withShadow.Shadow.Kind != withShadow.Kind)
                && (shared || (withShadow.Shadow?.Kind ?? withShadow.Kind) == allEnforced.Kind);
        }, iter: 2_000);
}
