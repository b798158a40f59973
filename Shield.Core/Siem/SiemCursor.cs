namespace Shield.Core.Siem;

/// <summary>
/// How far one SIEM sink (<c>Shield:Siem:Sinks</c>) has been sent the trail: the last record and the last checkpoint
/// it was given. The streamer reads committed records after <see cref="Sequence"/> and checkpoints after
/// <see cref="CheckpointId"/>, sends them, then moves the cursor; after a restart or an outage it goes on from here.
/// </summary>
public sealed class SiemCursor
{
    public const int MaxNameLength = 64;

    /// <summary>The sink's name, as configured.</summary>
    public string Name { get; set; } = "";

    /// <summary>The last record sent; 0 before the first.</summary>
    public long Sequence { get; set; }

    /// <summary>The <see cref="Auditing.AuditCheckpoint.Id"/> of the last checkpoint sent; 0 before the first.</summary>
    public long CheckpointId { get; set; }

    public DateTime UpdatedAtUtc { get; set; }
}
