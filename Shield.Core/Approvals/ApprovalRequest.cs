using Shield.Core.Accounts;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Core.Approvals;

/// <summary>
/// A tool call held for a person's decision. It is bound to one call, (session, tool, arguments fingerprint), and is
/// single use: once approved it lets exactly that call through, once (<see cref="ConsumedAtUtc"/>). Arguments are kept
/// only redacted and as a keyed fingerprint, never as given. The rules for deciding live here, as values.
/// </summary>
public sealed class ApprovalRequest
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid SessionId { get; set; }

    public Guid AgentId { get; set; }

    public string AgentName { get; set; } = "";

    /// <summary>The person the agent acts for (its owner, see <see cref="Person"/>): they may not approve its calls.</summary>
    public string AgentOwner { get; set; } = "";

    public string Task { get; set; } = "";

    public string Server { get; set; } = "";

    public string Tool { get; set; } = "";

    /// <summary>The tool's description as approved, for the reviewer; shown as text, never as markup.</summary>
    public string ToolDescription { get; set; } = "";

    public RiskLevel Risk { get; set; }

    /// <summary>Why the call needs approval, as the policy engine said it.</summary>
    public string Reason { get; set; } = "";

    public string? RedactedArguments { get; set; }

    public string ArgumentsFingerprint { get; set; } = "";

    public string? TraceId { get; set; }

    /// <summary>What the log-only grants would have made of the call, as its trail records say (<see cref="Auditing.AuditRecord.ShadowDecision"/>).</summary>
    public string? ShadowDecision { get; set; }

    public string? ShadowGrant { get; set; }

    public string? ShadowReason { get; set; }

    public DateTime RequestedAtUtc { get; set; }

    public DateTime ExpiresAtUtc { get; set; }

    /// <summary>How its call waits: held in one process, or in rounds that outlive it.</summary>
    public ApprovalWaiting Waiting { get; set; }

    /// <summary>How many distinct reviewers must approve.</summary>
    public int RequiredApprovals { get; set; } = 1;

    public ApprovalStatus Status { get; set; }

    public List<ApprovalVote> Votes { get; set; } = [];

    public DateTime? DecidedAtUtc { get; set; }

    /// <summary>Who decided: the approving reviewers, the denying one, or Shield for an expiry.</summary>
    public string? DecidedBy { get; set; }

    public string? DecisionReason { get; set; }

    /// <summary>When the approved call went through; an approval is never used twice.</summary>
    public DateTime? ConsumedAtUtc { get; set; }

    /// <summary>Changes with every save, so two reviewers deciding at once cannot both win.</summary>
    public Guid Version { get; set; } = Guid.NewGuid();

    public bool IsPending => Status == ApprovalStatus.Pending;

    /// <summary>Why <paramref name="reviewer"/> may not approve now, or null when they may.</summary>
    public string? RefuseApproval(Reviewer reviewer, DateTime nowUtc)
    {
        if (RefuseDecision(nowUtc) is { } closed)
        {
            return closed;
        }

        if (IsOwnedBy(reviewer))
        {
            return $"You cannot approve this call: the agent {AgentName} acts for you ({AgentOwner}). Another reviewer must decide.";
        }

        return Votes.Any(v => string.Equals(v.ReviewerId, reviewer.Id, StringComparison.Ordinal))
            ? $"You have already approved this call; it needs {RequiredApprovals} different reviewers."
            : null;
    }

    /// <summary>Why nobody may decide now (no longer pending, or past its expiry), or null.</summary>
    public string? RefuseDecision(DateTime nowUtc) => Status switch
    {
        ApprovalStatus.Pending when nowUtc >= ExpiresAtUtc => "This request has expired; the call was denied.",
        ApprovalStatus.Pending => null,
        ApprovalStatus.Approved => $"This request was already approved by {DecidedBy}.",
        ApprovalStatus.Denied => $"This request was already denied by {DecidedBy}.",
        ApprovalStatus.Expired => "This request has expired; the call was denied.",
        _ => $"{DecisionReason ?? "The agent stopped waiting."} The call was withdrawn and can no longer be decided.",
    };

    /// <summary>Adds the reviewer's approval; returns true when that was the last one needed.</summary>
    public bool Approve(Reviewer reviewer, DateTime nowUtc)
    {
        Votes.Add(new ApprovalVote { ReviewerId = reviewer.Id, ReviewerName = reviewer.Name, AtUtc = nowUtc });
        if (Votes.Count < RequiredApprovals)
        {
            return false;
        }

        Close(ApprovalStatus.Approved, string.Join(", ", Votes.Select(v => v.ReviewerName)).Clip(1000), null, nowUtc);
        return true;
    }

    public void Deny(Reviewer reviewer, string reason, DateTime nowUtc) => Close(ApprovalStatus.Denied, reviewer.Name, reason, nowUtc);

    public void Expire(string reason, DateTime nowUtc) => Close(ApprovalStatus.Expired, "Shield", reason, nowUtc);

    /// <summary>The agent stopped waiting (<paramref name="why"/>): its request, or an approval it has not used yet, is withdrawn.</summary>
    public void Withdraw(string why, DateTime nowUtc) => Close(ApprovalStatus.Withdrawn, AgentName, (Status == ApprovalStatus.Approved
        ? $"The agent stopped waiting ({why}) as {DecidedBy} approved the call; it was not forwarded."
        : $"The agent stopped waiting: {why}.").Clip(1000), nowUtc);

    // Compared in the normal form of a person, so no spelling of the owner (case, spaces, invisible characters, a
    // display name around the address) lets them approve their own agent's calls.
    private bool IsOwnedBy(Reviewer reviewer) => Person.Same(AgentOwner, reviewer.Name) || Person.Same(AgentOwner, reviewer.Id);

    private void Close(ApprovalStatus status, string by, string? reason, DateTime nowUtc)
    {
        Status = status;
        DecidedBy = by;
        DecisionReason = reason;
        DecidedAtUtc = nowUtc;
    }
}
