namespace Shield.Core.Auditing;

/// <summary>
/// Shield's audit key (256 random bits, encrypted with Data Protection): it keys argument fingerprints and signs
/// checkpoints and export manifests. Made once, on first start.
/// </summary>
public sealed class AuditKey
{
    public int Id { get; set; }

    public string ProtectedKey { get; set; } = "";

    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>The outcome of one verification of the whole chain, kept for the posture report.</summary>
public sealed class AuditVerificationResult
{
    public long Id { get; set; }

    public DateTime AtUtc { get; set; }

    public bool Intact { get; set; }

    public long RecordsChecked { get; set; }

    public long? LastSequence { get; set; }

    public long? BrokenAt { get; set; }

    public string? Problem { get; set; }

    /// <summary>Who asked: a person's name, or Shield.</summary>
    public string By { get; set; } = "";
}
