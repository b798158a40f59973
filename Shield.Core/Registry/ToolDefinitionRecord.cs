namespace Shield.Core.Registry;

/// <summary>One distinct definition a tool has had, kept so a changed tool can be compared with what was approved.</summary>
public sealed class ToolDefinitionRecord
{
    public long Id { get; set; }

    public Guid ToolId { get; set; }

    public string Fingerprint { get; set; } = "";

    /// <summary>The canonical JSON the fingerprint is computed over.</summary>
    public string Definition { get; set; } = "";

    public DateTime FirstSeenAtUtc { get; set; }
}
