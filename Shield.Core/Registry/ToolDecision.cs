using Shield.Core.Governance;

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

    public string DeclaredByKind { get; set; } = "";

    public string DeclaredById { get; set; } = "";

    /// <summary>Who declared the decision, to whom what it does is attributed.</summary>
    public Actor Declarer => new(DeclaredByKind, DeclaredById, DeclaredBy);

    /// <summary>
    /// Applies the decision to a tool in the inventory, never loosening a decision taken since: a block always applies;
    /// an approval never lifts a block (that is done in the console); an approval without a fingerprint only approves a
    /// tool never decided before, so a tool its server changed stays quarantined however often the document is applied.
    /// </summary>
    /// <returns>The action taken, for the change record, or null when nothing changed.</returns>
    public string? Apply(RegisteredTool tool, DateTime nowUtc)
    {
        var action = Risk is { } risk && risk != tool.Risk ? ChangeActions.RiskChanged : null;
        if (Risk is { } level)
        {
            tool.Risk = level;
        }

        switch (State)
        {
            case ToolState.Blocked when tool.State is not (ToolState.Blocked or ToolState.Removed):
                tool.State = ToolState.Blocked;
                tool.ApprovedFingerprint = null;
                action = ChangeActions.Blocked;
                break;
            case ToolState.Approved when Fingerprint is not null
                                         && (tool.State is ToolState.PendingReview or ToolState.Quarantined or ToolState.Approved)
                                         && (tool.ApprovedFingerprint != Fingerprint || tool.State == ToolState.PendingReview):
                tool.ApprovedFingerprint = Fingerprint;
                tool.State = Fingerprint == tool.Fingerprint ? ToolState.Approved : ToolState.Quarantined;
                action = tool.State == ToolState.Approved ? ChangeActions.Approved : ChangeActions.Quarantined;
                break;
            case ToolState.Approved when Fingerprint is null && tool.State == ToolState.PendingReview && tool.ApprovedFingerprint is null:
                tool.ApprovedFingerprint = tool.Fingerprint;
                tool.State = ToolState.Approved;
                action = ChangeActions.Approved;
                break;
        }

        if (action is not null)
        {
            tool.ReviewedAtUtc = nowUtc;
            tool.ReviewedBy = DeclaredBy;
        }

        return action;
    }
}
