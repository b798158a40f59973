namespace Shield.Core.Agents;

/// <summary>
/// A machine identity: the AI agent (or the platform running it) that mints sessions. Its credential can only mint
/// sessions; it never calls a tool itself.
/// </summary>
public sealed class Agent
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>A slug, like a server name: it appears in grants as <c>agent:&lt;name&gt;</c>.</summary>
    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    public string Owner { get; set; } = "";

    /// <summary>Grant roles (not console roles): grants to <c>role:&lt;name&gt;</c> apply to every agent holding it.</summary>
    public List<string> Roles { get; set; } = [];

    public bool Enabled { get; set; } = true;

    /// <summary>Hex SHA-256 of the agent key; the key itself is shown once and never stored.</summary>
    public string? KeySha256 { get; set; }

    public DateTime? KeyIssuedAtUtc { get; set; }

    /// <summary>In Entra ID mode, the client id of the Entra application that authenticates as this agent.</summary>
    public string? EntraClientId { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTime UpdatedAtUtc { get; set; }

    public string UpdatedBy { get; set; } = "";
}
