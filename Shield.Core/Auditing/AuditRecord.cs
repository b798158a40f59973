namespace Shield.Core.Auditing;

/// <summary>
/// One entry of the tamper-evident audit trail: a tool-call event or a governance change. The writer gives it its
/// <see cref="Sequence"/>, <see cref="PrevHash"/>, <see cref="Hash"/> and <see cref="Seal"/>; everything else is set
/// by whoever records it. Its fields, their order and their column limits are <see cref="AuditFields"/>.
/// Arguments are kept only as a keyed fingerprint, and optionally redacted, never as given.
/// </summary>
public sealed class AuditRecord
{
    public long Sequence { get; set; }

    public DateTime AtUtc { get; set; }

    /// <summary>One of <see cref="AuditEventTypes"/>.</summary>
    public string EventType { get; set; } = "";

    public string ActorKind { get; set; } = "";

    public string ActorId { get; set; } = "";

    public string ActorName { get; set; } = "";

    public Guid? SessionId { get; set; }

    public string? Task { get; set; }

    public string? Server { get; set; }

    public string? Tool { get; set; }

    /// <summary>HMAC-SHA256, under Shield's audit key, of the canonical JSON of the call's arguments.</summary>
    public string? ArgumentsFingerprint { get; set; }

    /// <summary>The arguments with secrets and personal data masked, when configured to keep them.</summary>
    public string? RedactedArguments { get; set; }

    public string? Decision { get; set; }

    /// <summary>The grant that decided the call, as the policy engine described it.</summary>
    public string? DecidingGrant { get; set; }

    /// <summary>
    /// What the call would have come to had the log-only grants been enforced, when that differs from <see cref="Decision"/>:
    /// <c>would-allow</c>, <c>would-deny</c> or <c>would-ask</c> (see <see cref="Policy.ShadowDecision"/>).
    /// </summary>
    public string? ShadowDecision { get; set; }

    /// <summary>The log-only grant behind <see cref="ShadowDecision"/>, as the policy engine described it.</summary>
    public string? ShadowGrant { get; set; }

    /// <summary>Why <see cref="ShadowDecision"/>, redacted as <see cref="Reason"/> is.</summary>
    public string? ShadowReason { get; set; }

    public Guid? ApprovalId { get; set; }

    public string? Reviewer { get; set; }

    public string? Outcome { get; set; }

    /// <summary>Why: the policy's reason, the reviewer's, or the upstream's error.</summary>
    public string? Reason { get; set; }

    /// <summary>How long the step took, in whole microseconds (an integer, so the canonical form is unambiguous).</summary>
    public long? DurationMicroseconds { get; set; }

    public string? TraceId { get; set; }

    public string? SpanId { get; set; }

    /// <summary>For governance changes: what kind of thing changed (<c>server</c>, <c>tool</c>, <c>agent</c>, ...).</summary>
    public string? Subject { get; set; }

    /// <summary>For governance changes: which one.</summary>
    public string? SubjectKey { get; set; }

    /// <summary>For governance changes: what happened to it (<c>created</c>, <c>approved</c>, ...).</summary>
    public string? Action { get; set; }

    public string? Before { get; set; }

    public string? After { get; set; }

    /// <summary>The <see cref="Governance.GovernanceChange"/> this record chains, if it is one.</summary>
    public long? GovernanceChangeId { get; set; }

    public string PrevHash { get; set; } = "";

    public string Hash { get; set; } = "";

    /// <summary>
    /// HMAC-SHA256 of <see cref="Hash"/> under the chain key (<see cref="AuditChain.Seal"/>); null for records written
    /// before the trail was sealed.
    /// </summary>
    public string? Seal { get; set; }

    /// <summary>A copy of the record as it is now (its fields are strings and values, so nothing is shared that can change).</summary>
    public AuditRecord Copy() => (AuditRecord)MemberwiseClone();
}
