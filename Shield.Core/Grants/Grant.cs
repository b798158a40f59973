using Shield.Core.Conditions;
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

    /// <summary>
    /// A condition in CEL (<see cref="Condition"/>): the grant applies only to calls for which it holds.
    /// Null for a grant that always applies.
    /// </summary>
    public string? When { get; set; }

    /// <summary>Enforced, or only watched (<see cref="GrantMode.LogOnly"/>): a log-only grant never changes a decision.</summary>
    public GrantMode Mode { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    public string CreatedBy { get; set; } = "";

    /// <summary>The grant in a line, its tool named as everywhere else: <c>role:finance-bots → crm__* approve</c>.</summary>
    public string Describe() => Describe(SubjectKind, Subject, Server, Tool, Effect, When, Mode);

    /// <summary>
    /// A grant in a line, with its condition and, when it is only watched, its mode:
    /// <c>agent:refund-bot → payments__refund deny when args.amount &gt; 500 (log-only)</c>.
    /// </summary>
    public static string Describe(SubjectKind kind, string subject, string server, string tool, GrantEffect effect, string? when, GrantMode mode = GrantMode.Enforce) =>
        $"{(kind == SubjectKind.Agent ? "agent" : "role")}:{subject} → {QualifiedToolName.Of(server, tool)} {effect.ToString().ToLowerInvariant()}{(when is null ? "" : $" when {when}")}{(mode == GrantMode.LogOnly ? $" ({GrantModes.LogOnly})" : "")}";
}
