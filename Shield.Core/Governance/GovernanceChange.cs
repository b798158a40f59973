namespace Shield.Core.Governance;

/// <summary>
/// One attributable change to the governance configuration: who changed what, when, and how it looked before and
/// after (JSON, never secrets). The audit trail turns these into tamper-evident records.
/// </summary>
public sealed class GovernanceChange
{
    public long Id { get; set; }

    public DateTime AtUtc { get; set; }

    public string ActorKind { get; set; } = "";

    public string ActorId { get; set; } = "";

    public string ActorName { get; set; } = "";

    /// <summary>What kind of thing changed: <c>server</c>, <c>tool</c>, ...</summary>
    public string Subject { get; set; } = "";

    /// <summary>Which one: a server name, or <c>server/tool</c>.</summary>
    public string SubjectKey { get; set; } = "";

    /// <summary>What happened: <c>created</c>, <c>updated</c>, <c>approved</c>, <c>quarantined</c>, ...</summary>
    public string Action { get; set; } = "";

    public string? Before { get; set; }

    public string? After { get; set; }

    public static GovernanceChange By(Actor actor, DateTime atUtc, string subject, string subjectKey, string action, string? before = null, string? after = null) => new()
    {
        AtUtc = atUtc,
        ActorKind = actor.Kind,
        ActorId = actor.Id,
        ActorName = actor.Name,
        Subject = subject,
        SubjectKey = subjectKey,
        Action = action,
        Before = before,
        After = after,
    };
}
