using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>A header or environment variable as entered: a value to keep secret, an <c>${env:NAME}</c> reference, or, when
/// editing, nothing to keep the stored secret.</summary>
public sealed record SettingInput(string Name, string? Value);

/// <summary>What an administrator enters to register or change a server.</summary>
public sealed record ServerInput(
    string? Name,
    string? DisplayName,
    string? Description,
    string? Owner,
    bool Enabled,
    ServerTransport Transport,
    string? Url,
    string? Command,
    IReadOnlyList<string>? Arguments,
    IReadOnlyList<SettingInput>? Headers,
    IReadOnlyList<SettingInput>? Environment,
    bool ShareSessions = false);

/// <summary>A header or environment variable as shown: its reference, or only the fact that a secret is set.</summary>
public sealed record SettingView(string Name, string? Reference, bool HasSecret)
{
    public static SettingView Of(SecretSetting setting) => new(setting.Name, setting.Reference, setting.ProtectedValue is not null);
}

/// <summary>How many of a server's tools are in each review state.</summary>
public sealed record ToolCounts(int Pending, int Approved, int Blocked, int Quarantined, int Removed)
{
    public static ToolCounts Of(IEnumerable<ToolState> states)
    {
        var list = states.ToList();
        return new(list.Count(s => s == ToolState.PendingReview), list.Count(s => s == ToolState.Approved), list.Count(s => s == ToolState.Blocked),
            list.Count(s => s == ToolState.Quarantined), list.Count(s => s == ToolState.Removed));
    }
}

/// <summary>A registered server as the console and API show it. Secrets appear only as <see cref="SettingView.HasSecret"/>.</summary>
public sealed record ServerView(
    Guid Id,
    string Name,
    string DisplayName,
    string Description,
    string Owner,
    bool Enabled,
    ServerTransport Transport,
    string? Url,
    string? Command,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<SettingView> Headers,
    IReadOnlyList<SettingView> Environment,
    DateTime? LastDiscoveryAtUtc,
    bool? LastDiscoverySucceeded,
    string? LastDiscoveryError,
    IReadOnlyList<string> LastDiscoveryRejections,
    int? PromptCount,
    int? ResourceCount,
    ToolCounts Tools,
    bool ShareSessions,
    string? ProtocolRevision,
    DateTime? ProtocolRevisionLearnedAtUtc)
{
    public static ServerView Of(RegisteredServer server, IEnumerable<ToolState> toolStates) => new(
        server.Id, server.Name, server.DisplayName, server.Description, server.Owner, server.Enabled, server.Transport, server.Url,
        server.Command, server.Arguments, [.. server.Headers.Select(SettingView.Of)], [.. server.Environment.Select(SettingView.Of)],
        server.LastDiscoveryAtUtc, server.LastDiscoverySucceeded, server.LastDiscoveryError, server.LastDiscoveryRejections, server.PromptCount, server.ResourceCount,
        ToolCounts.Of(toolStates), server.ShareSessions, server.ProtocolRevision, server.ProtocolRevisionLearnedAtUtc);
}
