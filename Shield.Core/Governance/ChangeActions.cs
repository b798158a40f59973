namespace Shield.Core.Governance;

/// <summary>The actions a <see cref="GovernanceChange"/> records, as stored.</summary>
public static class ChangeActions
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string Deleted = "deleted";
    public const string Enabled = "enabled";
    public const string Disabled = "disabled";
    public const string Discovered = "discovered";
    public const string Changed = "changed";
    public const string Quarantined = "quarantined";
    public const string Removed = "removed";
    public const string Returned = "returned";
    public const string Approved = "approved";
    public const string Blocked = "blocked";
    public const string RiskChanged = "risk-changed";
    public const string Declared = "declared";
}
