namespace Shield.Core.Approvals;

/// <summary>Where an <see cref="ApprovalRequest"/> stands. Only <see cref="Approved"/> lets the call through.</summary>
public enum ApprovalStatus
{
    Pending,
    Approved,
    Denied,
    Expired,
    Withdrawn,
}
