using Shield.Core.Approvals;
using Shield.Core.Registry;
using Shield.Core.Sessions;

namespace Shield.Console.Approvals;

/// <summary>
/// A request as a reviewer sees it, in the console, the API and the hub: never the arguments as given, only redacted.
/// </summary>
public sealed record ApprovalView(
    Guid Id,
    ApprovalStatus Status,
    string Agent,
    string Task,
    Guid SessionId,
    string Server,
    string Tool,
    string QualifiedTool,
    string ToolDescription,
    Shield.Core.Registry.RiskLevel Risk,
    string Reason,
    string? Arguments,
    string ArgumentsFingerprint,
    DateTime RequestedAt,
    DateTime ExpiresAt,
    int RequiredApprovals,
    IReadOnlyList<string> ApprovedBy,
    DateTime? DecidedAt,
    string? DecidedBy,
    string? DecisionReason)
{
    public bool IsPending => Status == ApprovalStatus.Pending;

    public static ApprovalView Of(ApprovalRequest r) => new(
        r.Id, r.Status, r.AgentName, r.Task, r.SessionId, r.Server, r.Tool, QualifiedToolName.Of(r.Server, r.Tool),
        r.ToolDescription, r.Risk, r.Reason, r.RedactedArguments, r.ArgumentsFingerprint, r.RequestedAtUtc, r.ExpiresAtUtc,
        r.RequiredApprovals, [.. r.Votes.Select(v => v.ReviewerName)], r.DecidedAtUtc, r.DecidedBy, r.DecisionReason);
}

/// <summary>The body of <c>POST /api/approvals/{id}/decision</c>; a denial needs a reason.</summary>
public sealed record ApprovalDecision(bool? Approve, string? Reason);

/// <summary>How a waiting call ends: let through (approved) or refused with the reason its agent reads.</summary>
public sealed record ApprovalVerdict(Guid Id, ApprovalStatus Status, string Message, string? Reviewers)
{
    public bool IsApproved => Status == ApprovalStatus.Approved;
}

/// <summary>What the relay knows about a call that needs approval.</summary>
public sealed record ApprovalCall(
    AgentSession Session,
    string Server,
    string Tool,
    string ToolDescription,
    Shield.Core.Registry.RiskLevel Risk,
    string Reason,
    string ArgumentsFingerprint,
    string? RedactedArguments,
    string? TraceId)
{
    /// <summary>What the log-only grants would have made of the call (<c>would-deny</c>, the grant, why), carried to its approval records; null when nothing.</summary>
    public (string Decision, string? Grant, string? Reason)? Shadow { get; init; }
}

/// <summary>One change to the queue, as pushed to the console and to <c>/hubs/approvals</c>.</summary>
public sealed record ApprovalEvent(ApprovalEventKind Kind, ApprovalView View);

public enum ApprovalEventKind
{
    /// <summary>A new request waits (hub event <c>ApprovalRequested</c>).</summary>
    Requested,

    /// <summary>A request still waits, with one more approval (hub event <c>ApprovalUpdated</c>).</summary>
    Updated,

    /// <summary>A request left the queue: approved, denied, expired or withdrawn (hub event <c>ApprovalDecided</c>).</summary>
    Decided,
}
