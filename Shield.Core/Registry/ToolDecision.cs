namespace Shield.Core.Registry;

/// <summary>
/// A decision about a tool declared in the governance document, kept so that it also applies to a tool not yet
/// discovered. <c>approved</c> without a fingerprint trusts the definition first discovered and pins it; with a
/// fingerprint, the tool is approved only while its definition matches, and quarantined otherwise.
/// </summary>
public sealed class ToolDecision
{
    public long Id { get; set; }

    public string ServerName { get; set; } = "";

    public string ToolName { get; set; } = "";

    /// <summary><see cref="ToolState.Approved"/>, <see cref="ToolState.Blocked"/> or <see cref="ToolState.PendingReview"/>.</summary>
    public ToolState State { get; set; }

    public RiskLevel? Risk { get; set; }

    public string? Fingerprint { get; set; }

    public DateTime DeclaredAtUtc { get; set; }

    public string DeclaredBy { get; set; } = "";

    /// <summary>Applies the decision to a tool in the inventory; returns the action taken, for the change record.</summary>
    public string Apply(RegisteredTool tool, DateTime nowUtc)
    {
        if (Risk is { } risk)
        {
            tool.Risk = risk;
        }

        tool.ReviewedAtUtc = nowUtc;
        tool.ReviewedBy = DeclaredBy;
        switch (State)
        {
            case ToolState.Blocked when tool.State != ToolState.Removed:
                tool.State = ToolState.Blocked;
                tool.ApprovedFingerprint = null;
                return "blocked";
            case ToolState.Approved when tool.State != ToolState.Removed:
                tool.ApprovedFingerprint = Fingerprint ?? tool.Fingerprint;
                tool.State = tool.ApprovedFingerprint == tool.Fingerprint ? ToolState.Approved : ToolState.Quarantined;
                return tool.State == ToolState.Approved ? "approved" : "quarantined";
            default:
                return Risk is null ? "declared" : "risk-changed";
        }
    }
}
