using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>
/// The answer of <c>POST /api/servers/{name}/discover</c> and of "Discover now": what one discovery found and changed,
/// or why it failed (then nothing in the inventory changed).
/// </summary>
public sealed record DiscoveryReport(
    string Server,
    bool Succeeded,
    string? Error,
    DateTime AtUtc,
    double DurationMs,
    IReadOnlyList<string> Added,
    IReadOnlyList<string> Changed,
    IReadOnlyList<string> Quarantined,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> Returned,
    int Unchanged,
    IReadOnlyList<RejectedTool> Rejected,
    int? PromptCount,
    int? ResourceCount,
    string? ProtocolRevision = null)
{
    public static DiscoveryReport Failed(string server, string error, DateTime atUtc, double durationMs) =>
        new(server, false, error, atUtc, durationMs, [], [], [], [], [], 0, [], null, null);
}
