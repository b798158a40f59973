namespace Shield.Core.Auditing;

/// <summary>Where the chain first fails to hold, and why.</summary>
public sealed record AuditBreak(long Sequence, string Problem);

/// <summary>
/// A break in the trail that an <c>audit.tamper-detected</c> record acknowledges: records <see cref="From"/> to
/// <see cref="Through"/> are not trusted (or, for a cut tail, are gone); the check went on after them.
/// </summary>
public sealed record AcknowledgedBreak(long From, long Through, string Problem, long AcknowledgedIn, string AcknowledgedBy, string? Reason);

/// <summary>An <c>audit.gap</c> record found on the way: failing open, calls went through unrecorded then.</summary>
public sealed record RecordedGap(long Sequence, DateTime FromUtc, DateTime ToUtc, long Records, long Calls, string Cause);

/// <summary>The outcome of recomputing the chain: intact, or the first broken link that nobody acknowledged.</summary>
public sealed record AuditVerification(
    bool Intact,
    long RecordsChecked,
    long? FirstSequence,
    long? LastSequence,
    string? LastHash,
    int CheckpointsChecked,
    AuditBreak? FirstBrokenLink)
{
    /// <summary>When it ran; set by whoever read the trail (the verifier itself knows no time).</summary>
    public DateTime VerifiedAtUtc { get; init; }

    public double ElapsedMilliseconds { get; init; }

    /// <summary>Lines of the anchor file checked against the records.</summary>
    public int AnchorsChecked { get; init; }

    /// <summary>The first record sealed with a chain key; null while the trail holds no sealing record.</summary>
    public long? SealedFrom { get; init; }

    /// <summary>Breaks that administrators acknowledged; every record outside them verified.</summary>
    public IReadOnlyList<AcknowledgedBreak> Acknowledged { get; init; } = [];

    /// <summary>The gaps fail-open left, as the trail records them.</summary>
    public IReadOnlyList<RecordedGap> Gaps { get; init; } = [];

    /// <summary>What was skipped without breaking the chain (an anchor line cut short by a crash).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Records inside acknowledged breaks, which could not be trusted.</summary>
    public long RecordsUnverified { get; init; }
}
