using ModelContextProtocol;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Policy;
using Shield.Core.Redaction;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// A tools/call's records in the trail: its decision (committed before the call goes on: when the trail cannot take
/// it, the call is refused), its refusal, or its outcome (queued behind the decision, never holding up the answer).
/// Durations come from the injected clock.
/// </summary>
public sealed partial class CallTrail(AuditWriter audit, RedactorStore redaction, TimeProvider time, ILogger<CallTrail> logger)
{
    /// <summary>When a call started, to measure its duration from.</summary>
    public long Start() => time.GetTimestamp();

    // Names come from the agent: each is cut to its column, so one over-long name can never fail a batch of records.
    public static AuditRecord Entry(RelaySession relay, CallRequest call)
    {
        var entry = relay.Record();
        entry.Server = call.Server.Length > 0 ? call.Server.Clip(Shield.Core.Registry.ServerName.MaxLength) : null;
        entry.Tool = (call.Tool.Length > 0 ? call.Tool : call.Listed)?.Clip(256);
        entry.ArgumentsFingerprint = call.Arguments.Fingerprint;
        entry.RedactedArguments = call.Arguments.Redacted;
        return entry;
    }

    /// <summary>
    /// The policy's decision on the call, kept on its records, with what the log-only grants would have made of it when
    /// that differs (its reason redacted: a condition's reason quotes what it read of the arguments).
    /// </summary>
    public void Decided(AuditRecord entry, PolicyDecision decision)
    {
        entry.Decision = decision.Kind.ToString();
        entry.DecidingGrant = decision.Grant?.Description?.Clip(512);
        if (decision.Shadow is { } shadow)
        {
            entry.ShadowDecision = shadow.Label;
            entry.ShadowGrant = shadow.Grant?.Description?.Clip(512);
            entry.ShadowReason = redaction.Current.RedactText(shadow.Reason).Clip(4000);
        }
    }

    /// <summary>Commits the record of an allowed call before it goes on; a trail that cannot take it refuses the call.</summary>
    public async Task<Refused?> AllowedAsync(AuditRecord entry, string reason)
    {
        entry.EventType = AuditEventTypes.CallAllowed;
        entry.Reason = reason.Clip(4000);
        return await AppendAsync(entry);
    }

    /// <summary>Records a refusal and logs it in one line at Debug: a refusal is an expected outcome, not an error.</summary>
    /// <param name="recordedOrNot">Refuse with the reason even when the trail cannot take the record.</param>
    public async Task<Refused> RefusedAsync(AuditRecord entry, Refused refused, bool recordedOrNot = false)
    {
        if (refused.Decision is { } decision)
        {
            Decided(entry, decision);
        }

        entry.EventType = AuditEventTypes.CallDenied;
        entry.Decision ??= nameof(DecisionKind.Deny);
        entry.Outcome = "refused";
        entry.Reason = redaction.Current.RedactText(refused.Reason).Clip(4000);
        LogRefused(entry.Server, entry.Tool, entry.SessionId, entry.Reason);
        return await AppendAsync(entry) is { } unrecorded && !recordedOrNot ? unrecorded : refused;
    }

    /// <summary>Queues the record of how a forwarded call ended, after its decision's.</summary>
    public async Task OutcomeAsync(AuditRecord allowed, string eventType, string outcome, string? reason, long started)
    {
        var entry = Copy(allowed);
        entry.EventType = eventType;
        entry.Outcome = outcome;
        entry.Reason = reason?.Clip(4000);
        entry.DurationMicroseconds = (long)time.GetElapsedTime(started).TotalMicroseconds;
        entry.AtUtc = time.GetUtcNow().UtcDateTime;
        Traced(entry);
        try
        {
            await audit.EnqueueAsync(entry);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Shield is stopping: the allowed record stands, the outcome is not known to the trail.
        }
    }

    private async Task<Refused?> AppendAsync(AuditRecord entry)
    {
        entry.AtUtc = time.GetUtcNow().UtcDateTime;
        Traced(entry);
        try
        {
            // Not the caller's token: a record the call depends on is written even if the agent stops waiting.
            await audit.AppendAsync(entry, CancellationToken.None);
            return null;
        }
        catch (AuditUnavailableException e)
        {
            return new Refused($"Shield cannot record the call, so it refuses it: {e.Message}", McpErrorCode.InternalError);
        }
    }

    // The call's span (the MCP SDK's server span for tools/call) carries what Shield decided, next to the MCP conventions' attributes.
    private static void Traced(AuditRecord entry)
    {
        if (System.Diagnostics.Activity.Current is not { IsAllDataRequested: true } span)
        {
            return;
        }

        span.SetTag(ShieldSpanTags.Decision, entry.Decision);
        span.SetTag(ShieldSpanTags.Grant, entry.DecidingGrant);
        span.SetTag(ShieldSpanTags.ShadowDecision, entry.ShadowDecision);
        span.SetTag(ShieldSpanTags.ApprovalId, entry.ApprovalId?.ToString());
        span.SetTag(ShieldSpanTags.Event, entry.EventType);
    }

    private static AuditRecord Copy(AuditRecord r) => new()
    {
        ActorKind = r.ActorKind,
        ActorId = r.ActorId,
        ActorName = r.ActorName,
        SessionId = r.SessionId,
        Task = r.Task,
        Server = r.Server,
        Tool = r.Tool,
        ArgumentsFingerprint = r.ArgumentsFingerprint,
        RedactedArguments = r.RedactedArguments,
        Decision = r.Decision,
        DecidingGrant = r.DecidingGrant,
        ShadowDecision = r.ShadowDecision,
        ShadowGrant = r.ShadowGrant,
        ShadowReason = r.ShadowReason,
        ApprovalId = r.ApprovalId,
        Reviewer = r.Reviewer,
        TraceId = r.TraceId,
        SpanId = r.SpanId,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a call to {Server}/{Tool} in session {Session}: {Reason}")]
    private partial void LogRefused(string? server, string? tool, Guid? session, string? reason);
}
