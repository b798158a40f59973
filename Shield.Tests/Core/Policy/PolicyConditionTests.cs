using System.Text.Json;
using CsCheck;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Tests.Core.Policy;

/// <summary>Grants with conditions: each applies only when its condition holds, deny still wins, and an error denies.</summary>
public sealed class PolicyConditionTests
{
    private const string Agent = "refund-bot";
    private const string Role = "finance-bots";

    private static PolicySnapshot Snapshot(params Grant[] grants) => new(
        [new PolicyTool("payments", "refund", ToolState.Approved, true, RiskLevel.Medium)],
        [new PolicyAgent(Agent, true, [Role])], grants, RiskLevel.High);

    private static Grant A(GrantEffect effect, string? when, SubjectKind kind = SubjectKind.Agent, string tool = "refund") =>
        new() { SubjectKind = kind, Subject = kind == SubjectKind.Agent ? Agent : Role, Server = "payments", Tool = tool, Effect = effect, When = when };

    private static PolicyCall Amount(object amount) => new(JsonSerializer.SerializeToElement(new { amount }));

    private static PolicyDecision Decide(PolicySnapshot snapshot, PolicyCall call) => snapshot.Decide(Agent, "payments", "refund", call);

    [Fact]
    public void AllowWhen_AllowsOnlyWhenItHolds_AndSaysWhatItRead()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow, "args.amount <= 500"));

        var small = Decide(snapshot, Amount(120));
        var large = Decide(snapshot, Amount(720));

        Assert.Equal(DecisionKind.Allow, small.Kind);
        Assert.Equal("Allowed by the grant agent:refund-bot → payments__refund allow when args.amount <= 500: the condition holds.", small.Reason);
        Assert.Equal(DecisionKind.Deny, large.Kind);
        Assert.Equal("Denied: the grant agent:refund-bot → payments__refund allow when args.amount <= 500 does not apply to this call: args.amount was 720.", large.Reason);
    }

    [Fact]
    public void Now_IsTheTimeOfTheCall_InUtc_ForBusinessHoursAndWeekdays()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow, "now.weekday >= 1 && now.weekday <= 5 && now.hour >= 8 && now.hour < 18"));
        PolicyCall At(DateTime utc) => new(null, NowUtc: utc);

        Assert.Equal(DecisionKind.Allow, Decide(snapshot, At(new DateTime(2026, 12, 7, 9, 30, 0, DateTimeKind.Utc))).Kind); // a Monday morning
        Assert.Equal(DecisionKind.Deny, Decide(snapshot, At(new DateTime(2026, 12, 7, 19, 0, 0, DateTimeKind.Utc))).Kind); // that evening
        Assert.Equal(DecisionKind.Deny, Decide(snapshot, At(new DateTime(2026, 12, 6, 9, 30, 0, DateTimeKind.Utc))).Kind); // a Sunday
    }

    [Fact]
    public void DenyWhen_DeniesOnlyThen_OverAnyAllow()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow, null, SubjectKind.Role, Grant.AllTools), A(GrantEffect.Deny, "args.amount > 500"));

        Assert.Equal(DecisionKind.Allow, Decide(snapshot, Amount(120)).Kind);
        var denied = Decide(snapshot, Amount(720));
        Assert.Equal(DecisionKind.Deny, denied.Kind);
        Assert.Equal("Denied by the grant agent:refund-bot → payments__refund deny when args.amount > 500: args.amount was 720.", denied.Reason);
    }

    [Fact]
    public void ADenyWhenThatDoesNotHold_AloneGrantsNothing_AndIsNotNamed()
    {
        var decision = Decide(Snapshot(A(GrantEffect.Deny, "args.amount > 500")), Amount(120));

        Assert.Equal(DecisionKind.Deny, decision.Kind);
        Assert.Equal("No grant gives this agent, or any of its roles, this tool.", decision.Reason);
    }

    [Fact]
    public void ApproveWhen_AsksAReviewerOnlyThen()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow, null, SubjectKind.Role), A(GrantEffect.Approve, "args.amount > 10000"));

        Assert.Equal(DecisionKind.Allow, Decide(snapshot, Amount(9000)).Kind);
        var asked = Decide(snapshot, Amount(12000));
        Assert.Equal(DecisionKind.RequireApproval, asked.Kind);
        Assert.Contains("requires a person to approve this call: args.amount was 12000", asked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEvaluationError_Denies_EvenWithAnUnconditionalAllow()
    {
        var snapshot = Snapshot(A(GrantEffect.Allow, null, SubjectKind.Role), A(GrantEffect.Allow, "args.amount <= 500"));

        var missing = Decide(snapshot, new PolicyCall(null));
        var mistyped = Decide(snapshot, Amount("720"));

        Assert.Equal(DecisionKind.Deny, missing.Kind);
        Assert.Contains("could not be evaluated: args.amount is missing.", missing.Reason, StringComparison.Ordinal);
        Assert.Equal(DecisionKind.Deny, mistyped.Kind);
        Assert.Contains("args.amount was '720' and 500 was 500", mistyped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AStoredConditionThatDoesNotCompile_Denies()
    {
        var decision = Decide(Snapshot(A(GrantEffect.Allow, "args.amount <=")), Amount(1));

        Assert.Equal(DecisionKind.Deny, decision.Kind);
        Assert.Contains("does not compile", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutACall_AConditionalAllowCounts_AndAConditionalDenyDoesNot()
    {
        // Listing tools and minting sessions have no arguments to read: the tool may be callable, so it is offered.
        var possible = Snapshot(A(GrantEffect.Allow, "args.amount <= 500")).Decide(Agent, "payments", "refund");
        Assert.Equal(DecisionKind.Allow, possible.Kind);
        Assert.Equal("Allowed by the grant agent:refund-bot → payments__refund allow when args.amount <= 500, for calls for which its condition holds.", possible.Reason);
        Assert.Equal(DecisionKind.Allow,
            Snapshot(A(GrantEffect.Allow, null, SubjectKind.Role), A(GrantEffect.Deny, "args.amount > 500")).Decide(Agent, "payments", "refund").Kind);
    }

    private static readonly string[] Conditions = ["args.amount <= 500", "args.amount > 500", "args.amount == 720", "has(args.note)", "args.note == 'x'", "true", "false"];

    private static readonly Gen<Grant> AGrant =
        from kind in Gen.Enum<SubjectKind>()
        from tool in Gen.OneOf("refund", Grant.AllTools)
        from effect in Gen.Enum<GrantEffect>()
        from when in Gen.OneOf<string?>([.. Conditions, null])
        select A(effect, when, kind, tool);

    private static readonly Gen<PolicyCall> ACall =
        from amount in Gen.Int[0, 1000]
        from note in Gen.Bool
        select new PolicyCall(JsonSerializer.SerializeToElement(note ? new Dictionary<string, object> { ["amount"] = amount, ["note"] = "x" } : new() { ["amount"] = amount }));

    // Deny < approval < allow, as DecisionKind is ordered.
    [Fact]
    public void AConditionOnAnAllow_NeverWidensAccess() =>
        Gen.Select(AGrant.List[0, 4], ACall, Gen.OneOf(Conditions), Gen.Enum<SubjectKind>()).Sample((grants, call, when, kind) =>
        {
            var others = grants.Where(g => g.SubjectKind != kind || g.Tool != "refund").ToList();
            var unconditional = Decide(Snapshot([.. others, A(GrantEffect.Allow, null, kind)]), call);
            var conditional = Decide(Snapshot([.. others, A(GrantEffect.Allow, when, kind)]), call);
            return conditional.Kind <= unconditional.Kind;
        }, iter: 2_000);

    [Fact]
    public void ADenyWhoseConditionHolds_AlwaysDenies() =>
        Gen.Select(AGrant.List[0, 4], ACall, Gen.Enum<SubjectKind>()).Sample(
            (grants, call, kind) => Decide(Snapshot([.. grants.Where(g => g.SubjectKind != kind || g.Tool != "refund"), A(GrantEffect.Deny, "args.amount >= 0", kind)]), call).Kind == DecisionKind.Deny,
            iter: 2_000);

    [Fact]
    public void AnAllowedCall_HasEveryApplyingConditionHolding() =>
        Gen.Select(AGrant.List[0, 4], ACall).Sample((grants, call) =>
        {
            var decision = Decide(Snapshot([.. grants]), call);
            return decision.Kind != DecisionKind.Allow || decision.Grant!.When is null || decision.Reason.EndsWith("the condition holds.", StringComparison.Ordinal);
        }, iter: 2_000);

    [Fact]
    public void AnErroringCondition_AlwaysDenies() =>
        Gen.Select(AGrant.List[0, 4], ACall).Sample((grants, call) =>
        {
            // One grant per subject and target, as the store keeps them.
            var failing = grants.Where(g => g.SubjectKind != SubjectKind.Role || g.Tool != "refund").Append(A(GrantEffect.Allow, "args.missing > 1", SubjectKind.Role)).ToArray();
            return Decide(Snapshot(failing), call).Kind == DecisionKind.Deny;
        }, iter: 2_000);
}
