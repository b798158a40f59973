using Shield.Core.Agents;

namespace Shield.Console.Agents;

/// <summary>What an administrator enters to register or change an agent.</summary>
/// <param name="EntraClientId">In Entra ID mode, the client id of an Entra application that may act as this agent.</param>
public sealed record AgentInput(string? Name, string? Description, string? Owner, IReadOnlyList<string>? Roles, bool Enabled, string? EntraClientId = null);

/// <summary>An agent as shown: never its key, only whether it has one and since when.</summary>
public sealed record AgentView(
    Guid Id, string Name, string Description, string Owner, IReadOnlyList<string> Roles, bool Enabled, bool HasKey, DateTime? KeyIssuedAtUtc, DateTime CreatedAtUtc,
    string? EntraClientId)
{
    public static AgentView Of(Agent agent) => new(agent.Id, agent.Name, agent.Description, agent.Owner, [.. agent.Roles], agent.Enabled,
        agent.KeySha256 is not null, agent.KeyIssuedAtUtc, agent.CreatedAtUtc, agent.EntraClientId);
}

/// <summary>An agent together with its new key: the only time the key is ever shown.</summary>
public sealed record AgentWithKey(AgentView Agent, string Key);
