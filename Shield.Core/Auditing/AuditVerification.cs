namespace Shield.Core.Auditing;

/// <summary>Where the chain first fails to hold, and why.</summary>
public sealed record AuditBreak(long Sequence, string Problem);

/// <summary>The outcome of recomputing the chain: intact, or the first broken link.</summary>
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
}
