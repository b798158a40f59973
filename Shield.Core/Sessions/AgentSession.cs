namespace Shield.Core.Sessions;

/// <summary>
/// A short-lived, task-scoped credential an agent minted for one task. Its token is shown once and stored only as a
/// hash. The scope is fixed when it is minted; every call is still decided afresh by the policy engine.
/// </summary>
public sealed class AgentSession
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid AgentId { get; set; }

    public string AgentName { get; set; } = "";

    /// <summary>What the agent said it is doing, for people reading the sessions and the audit trail.</summary>
    public string Task { get; set; } = "";

    /// <summary>The tools in scope, as <c>&lt;server&gt;__&lt;tool&gt;</c>.</summary>
    public List<string> Tools { get; set; } = [];

    public string TokenSha256 { get; set; } = "";

    public DateTime CreatedAtUtc { get; set; }

    public DateTime ExpiresAtUtc { get; set; }

    /// <summary>When the agent ended it or an administrator revoked it; null while it runs (until it expires).</summary>
    public DateTime? EndedAtUtc { get; set; }

    /// <summary>Who ended it: the agent, or the administrator who revoked it.</summary>
    public string? EndedBy { get; set; }

    public bool IsActiveAt(DateTime nowUtc) => EndedAtUtc is null && nowUtc < ExpiresAtUtc;
}
