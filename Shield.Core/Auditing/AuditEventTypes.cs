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

    /// <summary>A reviewer's decision came after the request had closed (its agent stopped waiting, it expired, it was decided).</summary>
    public const string CallDecisionRefused = "tool-call.decision-refused";

    public const string CallUpstreamError = "tool-call.upstream-error";
    public const string CallCompleted = "tool-call.completed";
    public const string ResourceRead = "resource.read";
    public const string PromptGet = "prompt.get";
    public const string Governance = "governance";

    /// <summary>A sign-in with an email and password was refused (never the password; see docs/audit.md).</summary>
    public const string SignInFailed = "sign-in.failed";

    /// <summary>Failed sign-ins locked an account.</summary>
    public const string SignInLockedOut = "sign-in.locked-out";

    /// <summary>A client address used up its failed sign-ins and is refused for a while.</summary>
    public const string SignInThrottled = "sign-in.throttled";

    /// <summary>A request for an agent session was refused: no session was minted.</summary>
    public const string SessionRefused = "session.refused";

    /// <summary>A session was minted without some of the tools it asked for; on the session's timeline.</summary>
    public const string SessionToolsRefused = "session.tools-refused";

    /// <summary>An MCP request was refused before any decision: its routing headers said something other than its body.</summary>
    public const string RequestRefused = "mcp.request-refused";

    /// <summary>A discovery of a server failed; the inventory is unchanged.</summary>
    public const string DiscoveryFailed = "discovery.failed";

    public const string Pruned = "audit.pruned";

    /// <summary>From the next record on, records are sealed with the chain key this record names.</summary>
    public const string Sealing = "audit.sealing";

    /// <summary>Shield found records altered, inserted or missing, and an administrator (or the configuration) went on.</summary>
    public const string TamperDetected = "audit.tamper-detected";

    /// <summary>Failing open, Shield let work through while the trail could not be written: how much, and when.</summary>
    public const string Gap = "audit.gap";

    /// <summary>The events the trail records about itself.</summary>
    public static readonly IReadOnlyList<string> Trail = [Pruned, Sealing, TamperDetected, Gap];

    /// <summary>Refusals and failures outside tool calls that the posture report counts.</summary>
    public static readonly IReadOnlyList<string> Security = [SignInFailed, SignInLockedOut, SignInThrottled, SessionRefused, SessionToolsRefused, RequestRefused, DiscoveryFailed];

    public static readonly IReadOnlyList<string> All =
    [
        CallAllowed, CallDenied, CallApprovalRequired, CallApproved, CallRejected, CallExpired, CallWithdrawn, CallDecisionRefused, CallUpstreamError,
        CallCompleted, ResourceRead, PromptGet, Governance, .. Security, Pruned, Sealing, TamperDetected, Gap,
    ];
}
