using Shield.Core.Registry;

namespace Shield.Core.Grants;

/// <summary>
/// Ties a subject (an agent or a role) to one tool, or every tool of a server (<see cref="AllTools"/>), with an effect.
/// Nothing granted means denied; deny beats approve beats allow.
/// </summary>
public sealed class Grant
{
    public const string AllTools = "*";

    public Guid Id { get; set; } = Guid.NewGuid();

    public SubjectKind SubjectKind { get; set; }

    /// <summary>The agent's or the role's name.</summary>
    public string Subject { get; set; } = "";

    public string Server { get; set; } = "";

    /// <summary>A tool name, or <see cref="AllTools"/>.</summary>
    public string Tool { get; set; } = AllTools;

    public GrantEffect Effect { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    public string CreatedBy { get; set; } = "";

    /// <summary>The grant in a line, its tool named as everywhere else: <c>role:finance-bots → crm__* approve</c>.</summary>
    public string Describe() => $"{(SubjectKind == SubjectKind.Agent ? "agent" : "role")}:{Subject} → {QualifiedToolName.Of(Server, Tool)} {Effect.ToString().ToLowerInvariant()}";
}
