using Shield.Core.Conditions;
using Shield.Core.Grants;
using Shield.Core.Registry;

namespace Shield.Core.Policy;

public enum DecisionKind
{
    Deny,
    RequireApproval,
    Allow,
}

/// <summary>
/// What the policy engine decided about one agent calling one tool, why (a sentence written for the agent and the
/// console), and the grant that decided it (null when no grant did). A value: deciding allocates nothing, except the
/// reason of a decision a condition made, which says what the condition read.
/// </summary>
public readonly record struct PolicyDecision(DecisionKind Kind, string Reason, PolicyGrant? Grant)
{
    public bool IsAllowed => Kind == DecisionKind.Allow;

    /// <summary>
    /// What the call would have come to with the log-only grants enforced too, when that differs from this decision;
    /// null when no log-only grant targets the call or none would have changed it. It never changes what is enforced.
    /// </summary>
    public ShadowDecision? Shadow { get; init; }

    public static PolicyDecision Deny(string reason, PolicyGrant? grant = null) => new(DecisionKind.Deny, reason, grant);

    public static PolicyDecision RequireApproval(string reason, PolicyGrant grant) => new(DecisionKind.RequireApproval, reason, grant);

    public static PolicyDecision Allow(PolicyGrant grant) => new(DecisionKind.Allow, grant.AllowReason, grant);
}

/// <summary>A grant as compiled into a snapshot, with the sentences that explain decisions it makes.</summary>
public sealed class PolicyGrant
{
    internal PolicyGrant(Grant grant, RiskLevel threshold)
    {
        Id = grant.Id;
        SubjectKind = grant.SubjectKind;
        Subject = grant.Subject;
        Server = grant.Server;
        Tool = grant.Tool;
        Effect = grant.Effect;
        Mode = grant.Mode;
        When = grant.When;
        Description = grant.Describe();
        if (grant.When is { } when)
        {
            var (condition, problems) = Condition.Compile(when);
            Condition = condition;
            // Checked when written, so only a condition stored by an older build gets here: it never applies, it denies.
            NotCompiled = problems.Count > 0 ? $"Denied: the condition of the grant {Description} does not compile ({problems[0]}). An administrator must correct it." : null;
        }

        Plain = grant.When is null;
        AllowReason = Condition is null ? $"Allowed by the grant {Description}." : $"Allowed by the grant {Description}: the condition holds.";
        ApproveReason = Condition is null
            ? $"The grant {Description} requires a person to approve each call."
            : $"The grant {Description} requires a person to approve each call for which its condition holds.";
        // Without a call in view (listing, minting, the access matrix), a conditional allow is only possible.
        PossibleReason = $"Allowed by the grant {Description}, for calls for which its condition holds.";
        DenyReason = $"Denied by the grant {Description}.";
        RiskReasons = [.. Enum.GetValues<RiskLevel>().Select(risk =>
            $"Allowed by the grant {Description}, but the tool's risk is {Lower(risk)}, at or above {Lower(threshold)}: every call needs a person's approval.")];
    }

    public Guid Id { get; }

    public SubjectKind SubjectKind { get; }

    public string Subject { get; }

    public string Server { get; }

    public string Tool { get; }

    public GrantEffect Effect { get; }

    public GrantMode Mode { get; }

    /// <summary>The grant's condition as written, or null when it always applies.</summary>
    public string? When { get; }

    internal Condition? Condition { get; }

    /// <summary>Without a condition: it applies whenever it targets the call.</summary>
    internal bool Plain { get; }

    /// <summary>Why a grant whose condition does not compile denies; null when it compiles.</summary>
    internal string? NotCompiled { get; }

    public string Description { get; }

    internal string AllowReason { get; }

    internal string ApproveReason { get; }

    internal string PossibleReason { get; }

    internal string DenyReason { get; }

    /// <summary>Why an allowed call still needs approval, by the tool's risk (indexed by <see cref="RiskLevel"/>).</summary>
    internal string[] RiskReasons { get; }

    private static string Lower(RiskLevel risk) => risk.ToString().ToLowerInvariant();
}

/// <summary>
/// What a call would have come to had the log-only grants been enforced (<see cref="PolicyDecision.Shadow"/>), why,
/// and the grant that decided it (the log-only grant that made the difference).
/// </summary>
public sealed record ShadowDecision(DecisionKind Kind, string Reason, PolicyGrant? Grant)
{
    /// <summary>As the trail records it: <c>would-allow</c>, <c>would-deny</c> or <c>would-ask</c> (a person's approval).</summary>
    public string Label => Kind switch
    {
        DecisionKind.Allow => "would-allow",
        DecisionKind.Deny => "would-deny",
        _ => "would-ask",
    };
}

/// <summary>A grant that targets a call, with what its condition came to (null when it has none) and what the condition read.</summary>
public sealed record GrantWeighed(PolicyGrant Grant, ConditionOutcome? Outcome, string Read);
