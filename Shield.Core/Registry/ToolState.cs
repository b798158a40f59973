using System.Text.Json.Serialization;

namespace Shield.Core.Registry;

/// <summary>Where a discovered tool stands in review. Only <see cref="Approved"/> tools can ever be called.</summary>
public enum ToolState
{
    /// <summary>Discovered and not yet reviewed by an administrator; <c>pending</c> in JSON, as in the governance document.</summary>
    [JsonStringEnumMemberName("pending")]
    PendingReview,

    /// <summary>Approved by an administrator, with its definition pinned by fingerprint.</summary>
    Approved,

    /// <summary>Refused by an administrator.</summary>
    Blocked,

    /// <summary>Was approved, but the server now describes it differently; waits for re-approval.</summary>
    Quarantined,

    /// <summary>No longer offered by the server.</summary>
    Removed,
}
