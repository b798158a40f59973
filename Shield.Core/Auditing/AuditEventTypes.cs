namespace Shield.Core.Auditing;

/// <summary>The event types of <see cref="AuditRecord"/>, as stored and filtered on.</summary>
public static class AuditEventTypes
{
    public const string CallAllowed = "tool-call.allowed";
    public const string CallDenied = "tool-call.denied";
    public const string CallApprovalRequired = "tool-call.approval-required";
    public const string CallApproved = "tool-call.approved";
    public const string CallRejected = "tool-call.rejected";
    public const string CallExpired = "tool-call.expired";
    public const string CallWithdrawn = "tool-call.withdrawn";
    public const string CallUpstreamError = "tool-call.upstream-error";
    public const string CallCompleted = "tool-call.completed";
    public const string ResourceRead = "resource.read";
    public const string PromptGet = "prompt.get";
    public const string Governance = "governance";
    public const string Pruned = "audit.pruned";

    public static readonly IReadOnlyList<string> All =
    [
        CallAllowed, CallDenied, CallApprovalRequired, CallApproved, CallRejected, CallExpired, CallWithdrawn, CallUpstreamError, CallCompleted,
        ResourceRead, PromptGet, Governance, Pruned,
    ];
}
