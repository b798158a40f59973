namespace Shield.Core.Registry;

/// <summary>A tool as its server last described it, and where it stands in review.</summary>
public sealed class RegisteredTool
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid ServerId { get; set; }

    public RegisteredServer? Server { get; set; }

    public string Name { get; set; } = "";

    public string? Title { get; set; }

    /// <summary>Untrusted text from the server: render it as text, never as markup.</summary>
    public string? Description { get; set; }

    public string InputSchema { get; set; } = "{}";

    public string? OutputSchema { get; set; }

    public string? Annotations { get; set; }

    /// <summary>The fingerprint of the definition as last discovered.</summary>
    public string Fingerprint { get; set; } = "";

    public ToolState State { get; set; } = ToolState.PendingReview;

    public RiskLevel Risk { get; set; }

    /// <summary>What the annotations suggest; <see cref="Risk"/> is the administrator's decision.</summary>
    public RiskLevel SuggestedRisk { get; set; }

    /// <summary>The fingerprint an administrator approved. The tool is callable only while it matches.</summary>
    public string? ApprovedFingerprint { get; set; }

    public DateTime FirstSeenAtUtc { get; set; }

    public DateTime LastSeenAtUtc { get; set; }

    public DateTime? ReviewedAtUtc { get; set; }

    /// <summary>Changes whenever the tool is saved, so a decision and a discovery cannot silently overwrite each other.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();

    public string? ReviewedBy { get; set; }

    /// <summary>True only for an approved tool whose current definition is the one approved.</summary>
    public bool IsCallable => State == ToolState.Approved && Fingerprint == ApprovedFingerprint;
}
