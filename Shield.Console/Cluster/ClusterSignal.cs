using System.Text.Json;

namespace Shield.Console.Cluster;

/// <summary>
/// "Look now": one instance of a cluster tells the others that something changed in the database. A signal carries no
/// state and grants nothing: whoever receives it reads the database, which stays the truth, so a lost, repeated or
/// forged signal can only make an instance look sooner or once more.
/// </summary>
public sealed record ClusterSignal(ClusterSignalKind Kind, Guid? Id = null)
{
    /// <summary>The governance configuration changed (a server, tool, agent, grant or redaction rule, or a session ended or revoked).</summary>
    public static ClusterSignal Governance { get; } = new(ClusterSignalKind.Governance);

    /// <summary>The approval request <paramref name="id"/> was raised, approved once more, or closed.</summary>
    public static ClusterSignal Approval(Guid id) => new(ClusterSignalKind.Approval, id);

    /// <summary>The signal as sent between instances, with the sending instance's nonce.</summary>
    internal string Write(string from) => JsonSerializer.Serialize(new Wire(from, Kind.ToString(), Id));

    /// <summary>A signal read from another instance, with its sender; null for anything that is not one (left alone).</summary>
    internal static (string From, ClusterSignal Signal)? Read(string? text)
    {
        try
        {
            return text is not null && JsonSerializer.Deserialize<Wire>(text) is { From: { } from, Kind: { } kind } wire
                && Enum.TryParse<ClusterSignalKind>(kind, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed)
                && (parsed != ClusterSignalKind.Approval || wire.Id is not null)
                ? (from, new ClusterSignal(parsed, wire.Id))
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Wire(string? From, string? Kind, Guid? Id);
}

public enum ClusterSignalKind
{
    Governance,
    Approval,
}
