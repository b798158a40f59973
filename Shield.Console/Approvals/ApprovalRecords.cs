using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Policy;
using Shield.Core.Text;

namespace Shield.Console.Approvals;

/// <summary>The audit records of an approval's life, each linked to the call by session, tool, fingerprint, trace and approval id.</summary>
internal static class ApprovalRecords
{
    public static AuditRecord Requested(ApprovalRequest r) => Record(r, AuditEventTypes.CallApprovalRequired,
        new Actor(Actor.Agent, r.AgentId.ToString(), r.AgentName), "pending", r.Reason, r.RequestedAtUtc);

    public static AuditRecord Approved(ApprovalRequest r, Reviewer reviewer, bool final, string? reason, DateTime nowUtc) => Record(r, AuditEventTypes.CallApproved,
        Person(reviewer), final ? "approved" : $"approval {r.Votes.Count} of {r.RequiredApprovals}", reason, nowUtc, reviewer.Name);

    public static AuditRecord Denied(ApprovalRequest r, Reviewer reviewer, DateTime nowUtc) =>
        Record(r, AuditEventTypes.CallRejected, Person(reviewer), "denied", r.DecisionReason, nowUtc, reviewer.Name);

    public static AuditRecord Expired(ApprovalRequest r, DateTime nowUtc) =>
        Record(r, AuditEventTypes.CallExpired, Actor.Shield("approvals"), "expired", r.DecisionReason, nowUtc);

    public static AuditRecord Withdrawn(ApprovalRequest r, DateTime nowUtc) => Record(r, AuditEventTypes.CallWithdrawn,
        new Actor(Actor.Agent, r.AgentId.ToString(), r.AgentName), "withdrawn", r.DecisionReason, nowUtc);

    /// <summary>A reviewer decided too late: the request had closed, so nothing changed.</summary>
    public static AuditRecord DecisionRefused(ApprovalRequest r, Reviewer reviewer, bool approve, string refusal, DateTime nowUtc) => Record(r,
        AuditEventTypes.CallDecisionRefused, Person(reviewer), "refused", $"{(approve ? "The approval" : "The denial")} was refused: {refusal}".Clip(4000), nowUtc, reviewer.Name);

    private static Actor Person(Reviewer reviewer) => new(Actor.Person, reviewer.Id, reviewer.Name);

    private static AuditRecord Record(ApprovalRequest r, string eventType, Actor actor, string outcome, string? reason, DateTime atUtc, string? reviewer = null) => new()
    {
        AtUtc = atUtc,
        EventType = eventType,
        ActorKind = actor.Kind,
        ActorId = actor.Id,
        ActorName = actor.Name,
        SessionId = r.SessionId,
        Task = r.Task,
        Server = r.Server,
        Tool = r.Tool,
        ArgumentsFingerprint = r.ArgumentsFingerprint,
        RedactedArguments = r.RedactedArguments,
        Decision = nameof(DecisionKind.RequireApproval),
        ShadowDecision = r.ShadowDecision,
        ShadowGrant = r.ShadowGrant,
        ShadowReason = r.ShadowReason,
        ApprovalId = r.Id,
        Reviewer = reviewer,
        Outcome = outcome,
        Reason = reason,
        // How long the call had waited when this happened.
        DurationMicroseconds = (long)(atUtc - r.RequestedAtUtc).TotalMicroseconds,
        TraceId = r.TraceId,
    };
}
