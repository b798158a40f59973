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

    /// <summary>From the next record on, records are sealed with the chain key this record names.</summary>
    public const string Sealing = "audit.sealing";

    /// <summary>Shield found records altered, inserted or missing, and an administrator (or the configuration) went on.</summary>
    public const string TamperDetected = "audit.tamper-detected";

    /// <summary>Failing open, Shield let work through while the trail could not be written: how much, and when.</summary>
    public const string Gap = "audit.gap";

    /// <summary>The events the trail records about itself.</summary>
    public static readonly IReadOnlyList<string> Trail = [Pruned, Sealing, TamperDetected, Gap];

    public static readonly IReadOnlyList<string> All =
    [
        CallAllowed, CallDenied, CallApprovalRequired, CallApproved, CallRejected, CallExpired, CallWithdrawn, CallUpstreamError, CallCompleted,
        ResourceRead, PromptGet, Governance, Pruned, Sealing, TamperDetected, Gap,
    ];
}
