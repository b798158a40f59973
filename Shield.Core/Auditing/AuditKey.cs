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
