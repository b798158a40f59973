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
    AuditBreak? Break);
