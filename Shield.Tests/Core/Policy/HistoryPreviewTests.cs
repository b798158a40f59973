using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Tests.Core.Policy;

/// <summary>The preview against history: a changed policy over a seeded trail, what changes, and what cannot be evaluated.</summary>
public sealed class HistoryPreviewTests
{
    private static readonly DateTime Since = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    private static PolicySnapshot Snapshot(params Grant[] grants) => new(
        [new PolicyTool("payments", "refund", ToolState.Approved, true, RiskLevel.Medium), new PolicyTool("payments", "balance", ToolState.Approved, true, RiskLevel.Low)],
        [new PolicyAgent("refund-bot", true, ["finance"]), new PolicyAgent("audit-bot", true, [])], grants, RiskLevel.High);

    private static Grant A(string agent, string tool, GrantEffect effect, string? when = null) =>
        new() { SubjectKind = SubjectKind.Agent, Subject = agent, Server = "payments", Tool = tool, Effect = effect, When = when };

    private static Grant Finance(GrantEffect effect, string? when = null) =>
        new() { SubjectKind = SubjectKind.Role, Subject = "finance", Server = "payments", Tool = "refund", Effect = effect, When = when };

    private static RecordedCall Call(long sequence, string agent, string tool, string? arguments, string task = "refunds") =>
        new(sequence, Since.AddHours(sequence), agent, "payments", tool, task, arguments);

    private static readonly Grant[] Today = [A("refund-bot", "refund", GrantEffect.Allow), A("refund-bot", "balance", GrantEffect.Allow)];

    [Fact]
    public void ADenyWhen_CountsTheCallsItWouldHaveDenied_ByAgentAndTool()
    {
        RecordedCall[] trail =
        [
            Call(1, "refund-bot", "refund", """{"amount":120}"""),
            Call(2, "refund-bot", "refund", """{"amount":720}"""),
            Call(3, "refund-bot", "refund", """{"amount":900}"""),
            Call(4, "refund-bot", "balance", null),
            Call(5, "audit-bot", "refund", """{"amount":900}"""),
        ];

        var preview = HistoryPreviewer.Of(Snapshot(Today), Snapshot([.. Today, Finance(GrantEffect.Deny, "args.amount > 500")]), trail, Since, 100);

        Assert.Equal(5, preview.Examined);
        Assert.False(preview.Capped);
        Assert.Equal(2, preview.Changed);
        var change = Assert.Single(preview.Changes);
        Assert.Equal(("refund-bot", "refund", DecisionKind.Allow, DecisionKind.Deny, 2, Since.AddHours(3)), (change.Agent, change.Tool, change.From, change.To, change.Calls, change.LastAtUtc));
        Assert.Equal(new DecisionShift(DecisionKind.Allow, DecisionKind.Deny, 2), Assert.Single(preview.ByKind));
        Assert.Equal(0, preview.NotEvaluated);
    }

    [Fact]
    public void AConditionOnARedactedArgument_IsNotEvaluated_AndSaysWhich_WhileOtherArgumentsStillAre()
    {
        RecordedCall[] trail =
        [
            Call(1, "refund-bot", "refund", """{"amount":720,"email":"[REDACTED:email]"}"""),
            Call(2, "refund-bot", "refund", """{"amount":"[REDACTED:secret]"}"""),
            Call(3, "refund-bot", "refund", """{"amount":10,"note":"for [REDACTED:email]"}"""),
        ];

        var preview = HistoryPreviewer.Of(Snapshot(Today), Snapshot([.. Today, Finance(GrantEffect.Deny, "args.amount > 500")]), trail, Since, 100);

        Assert.Equal(1, preview.Changed);
        var unevaluated = Assert.Single(preview.NotEvaluatedCalls);
        Assert.Equal(1, preview.NotEvaluated);
        Assert.Equal([2L], unevaluated.Sequences);
        Assert.Equal("the grant role:finance → payments__refund deny when args.amount > 500 cannot be evaluated: its condition reads args.amount, which the trail holds redacted",
            unevaluated.Why);
    }

    [Fact]
    public void AConditionOnWhatTheTrailDoesNotRecord_IsNotEvaluated_InTheOldPolicyToo()
    {
        RecordedCall[] trail = [Call(1, "refund-bot", "refund", """{"amount":1}"""), Call(2, "refund-bot", "balance", null)];
        var before = Snapshot([A("refund-bot", "refund", GrantEffect.Allow, "session.age < 3600"), A("refund-bot", "balance", GrantEffect.Allow)]);

        var preview = HistoryPreviewer.Of(before, Snapshot([A("refund-bot", "balance", GrantEffect.Deny)]), trail, Since, 100);

        Assert.Equal(1, preview.Changed);
        Assert.Equal((DecisionKind.Allow, DecisionKind.Deny), (preview.Changes[0].From, preview.Changes[0].To));
        Assert.EndsWith("its condition reads session.age, which the trail does not record", Assert.Single(preview.NotEvaluatedCalls).Why, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePreview_ExaminesAtMostItsCap_AndSaysSo()
    {
        var trail = Enumerable.Range(1, 10).Select(i => Call(i, "refund-bot", "balance", null));

        var preview = HistoryPreviewer.Of(Snapshot(Today), Snapshot(), trail, Since, 4);

        Assert.Equal((4, 4, true, 4), (preview.Examined, preview.Cap, preview.Capped, preview.Changed));
    }
}
