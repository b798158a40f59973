namespace Shield.Core.Approvals;

/// <summary>One reviewer's approval of a request (a critical tool may need more than one).</summary>
public sealed class ApprovalVote
{
    public string ReviewerId { get; set; } = "";

    public string ReviewerName { get; set; } = "";

    public DateTime AtUtc { get; set; }
}
