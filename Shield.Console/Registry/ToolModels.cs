using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>A tool as the inventory lists it. <see cref="Description"/> is the server's untrusted text.</summary>
public sealed record ToolView(
    Guid Id,
    string Server,
    string Name,
    string? Title,
    string? Description,
    ToolState State,
    RiskLevel Risk,
    RiskLevel SuggestedRisk,
    string Fingerprint,
    string? ApprovedFingerprint,
    bool Callable,
    DateTime FirstSeenAtUtc,
    DateTime LastSeenAtUtc,
    string? ReviewedBy,
    DateTime? ReviewedAtUtc)
{
    public static ToolView Of(RegisteredTool tool, string server) => new(
        tool.Id, server, tool.Name, tool.Title, tool.Description, tool.State, tool.Risk, tool.SuggestedRisk, tool.Fingerprint,
        tool.ApprovedFingerprint, tool.IsCallable, tool.FirstSeenAtUtc, tool.LastSeenAtUtc, tool.ReviewedBy, tool.ReviewedAtUtc);
}

/// <summary>One definition in a tool's history.</summary>
public sealed record DefinitionVersion(string Fingerprint, DateTime FirstSeenAtUtc, string Definition);

/// <summary>
/// Everything about one tool: schemas, annotations, its history, when quarantined what was approved, and when Shield
/// cannot serve it to agents, why (<see cref="Unservable"/>: its definition does not fit MCP's model, or the server's
/// last discovery listed it with a definition that was refused), and the grants on it whose condition does not fit its
/// current input schema (<see cref="UnfitConditions"/>: shown before the definition is approved).
/// </summary>
public sealed record ToolDetail(
    ToolView Tool,
    string InputSchema,
    string? OutputSchema,
    string? Annotations,
    IReadOnlyList<DefinitionVersion> History,
    DefinitionVersion? Approved,
    DefinitionVersion Current,
    string? Unservable = null,
    IReadOnlyList<string>? UnfitConditions = null);

/// <summary>How a bulk approval went: tools approved, and tools skipped with the reason.</summary>
public sealed record BulkApproval(IReadOnlyList<string> Approved, IReadOnlyList<RejectedTool> Skipped);
