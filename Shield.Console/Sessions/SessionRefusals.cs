using System.Text.Json;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Redaction;
using Shield.Core.Text;

namespace Shield.Console.Sessions;

/// <summary>
/// Records what the session API refused: a request that minted nothing (<c>session.refused</c>), and the tools left
/// out of a session that was minted (<c>session.tools-refused</c>, on that session's timeline). What the agent wrote,
/// its task and the tool names it asked for, is redacted like call arguments; at most <see cref="MaxListed"/> tools are
/// listed, each with the reason, and how many more there were.
/// </summary>
public sealed class SessionRefusals(SecurityEvents events, RedactorStore redaction)
{
    public const int MaxListed = 100;

    /// <param name="actor">Who asked: the agent, or whoever presented a credential that is not an agent's.</param>
    /// <param name="action"><c>mint</c> or <c>end</c>.</param>
    /// <param name="task">The task the request named, when it was read.</param>
    /// <param name="reason">The refusal, as the caller was told.</param>
    /// <param name="refused">The tools asked for, each with why it was refused.</param>
    public Task RefusedAsync(Actor actor, string action, string? task, string reason, IReadOnlyList<RefusedTool>? refused = null) =>
        events.RecordAsync(Record(AuditEventTypes.SessionRefused, actor, null, action, task, reason, refused ?? []));

    /// <summary>A session was minted without some of the tools it asked for.</summary>
    public Task ToolsRefusedAsync(Actor agent, Guid sessionId, string task, IReadOnlyList<RefusedTool> refused) =>
        events.RecordAsync(Record(AuditEventTypes.SessionToolsRefused, agent, sessionId, ChangeActions.Created, task,
            $"{refused.Count} of the tools asked for {(refused.Count == 1 ? "was" : "were")} left out of the session.", refused));

    private AuditRecord Record(string eventType, Actor actor, Guid? sessionId, string action, string? task, string reason, IReadOnlyList<RefusedTool> refused)
    {
        var redactor = redaction.Current;
        return new AuditRecord
        {
            EventType = eventType,
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            ActorName = actor.Name,
            SessionId = sessionId,
            Task = task is null ? null : redactor.RedactText(task.Trim()).Clip(500),
            Subject = "session",
            SubjectKey = sessionId?.ToString(),
            Action = action,
            Decision = "Deny",
            Outcome = "refused",
            Reason = redactor.RedactText(reason).Clip(4000),
            After = refused.Count == 0 ? null : JsonSerializer.Serialize(new
            {
                refused = refused.Take(MaxListed).Select(r => new { tool = redactor.RedactText(r.Tool).Clip(256), reason = redactor.RedactText(r.Reason).Clip(500) }),
                more = Math.Max(0, refused.Count - MaxListed),
            }),
        };
    }
}
