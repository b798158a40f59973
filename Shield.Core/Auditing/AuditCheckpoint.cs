namespace Shield.Core.Auditing;

/// <summary>
/// The chain's head as the writer last committed it, signed with Shield's audit key and kept apart from the records:
/// a trail cut short after a checkpoint no longer reaches it, which verification reports as truncation.
/// </summary>
public sealed class AuditCheckpoint
{
    public long Id { get; set; }

    public long Sequence { get; set; }

    public string Hash { get; set; } = "";

    public DateTime AtUtc { get; set; }

    /// <summary>HMAC-SHA256 of <see cref="AuditChain.CheckpointText"/>.</summary>
    public string Signature { get; set; } = "";
}
