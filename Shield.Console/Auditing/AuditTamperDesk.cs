using Shield.Core.Auditing;
using Shield.Core.Governance;

namespace Shield.Console.Auditing;

/// <summary>
/// Tampering found at start or while the writer runs: the alarm, and its acknowledgement, made by an administrator or,
/// as configured, by Shield at once. Nothing is chained over a finding until it is acknowledged; the acknowledgement
/// is chained after exactly the tail the finding was made on, and a trail that changed meanwhile is checked again.
/// The writer's loop records acknowledgements; anyone may ask for one.
/// </summary>
internal sealed partial class AuditTamperDesk(
    AuditChainStore store,
    AuditTailCheck tailCheck,
    AuditKeyring keyring,
    GovernanceOutbox outbox,
    AuditOptions options,
    TimeProvider time,
    ILogger logger)
{
    private volatile AuditTamperAlarm? _alarm;
    private PendingAcknowledgement? _pending;

    public AuditTamperAlarm? Alarm => _alarm;

    /// <summary>A finding not yet acknowledged: nothing may be chained, and so nothing signed, over it.</summary>
    public bool Unacknowledged => _alarm is { AcknowledgedIn: null };

    /// <summary>Raises the alarm; configured to record findings, records it at once.</summary>
    public async Task RaiseAsync(AuditTamperFinding finding, (long Sequence, string Hash) foundAt)
    {
        LogTamperDetected(logger, finding.Problem);
        _alarm = new AuditTamperAlarm(finding, time.GetUtcNow().UtcDateTime, options.OnTamper == AuditTamperResponse.Halt) { FoundAt = foundAt };
        if (options.OnTamper == AuditTamperResponse.Record)
        {
            // Recorded before anything else; if that fails, the loop tries again and records nothing meanwhile.
            _pending = new PendingAcknowledgement(
                AuditTrailRecords.TamperDetected(finding, Actor.Shield("audit"), $"{AuditOptions.SectionName}:OnTamper is Record.", time.GetUtcNow().UtcDateTime),
                new(TaskCreationOptions.RunContinuationsAsynchronously));
            await RecordAsync();
        }
    }

    /// <summary>Asks for an acknowledgement; two administrators at once share the first one's record. Null: nothing to acknowledge.</summary>
    public Task<AuditReceipt>? Request(Actor by, string reason)
    {
        if (_alarm is not { Halted: true } alarm)
        {
            return null;
        }

        var mine = new PendingAcknowledgement(AuditTrailRecords.TamperDetected(alarm.Finding, by, reason, time.GetUtcNow().UtcDateTime),
            new TaskCompletionSource<AuditReceipt>(TaskCreationOptions.RunContinuationsAsynchronously));
        return (Interlocked.CompareExchange(ref _pending, mine, null) ?? mine).Done.Task;
    }

    /// <summary>Records the acknowledgement asked for, if any: on the writer's loop only.</summary>
    public async Task RecordAsync()
    {
        if (Interlocked.Exchange(ref _pending, null) is not { } acknowledgement || _alarm is not { AcknowledgedIn: null } alarm)
        {
            return;
        }

        try
        {
            await store.AcknowledgeAsync(acknowledgement.Record, alarm.Finding, alarm.FoundAt);
            _alarm = alarm with { AcknowledgedIn = acknowledgement.Record.Sequence };
            outbox.RequestSweep();
            LogTamperAcknowledged(logger, acknowledgement.Record.ActorName, acknowledgement.Record.Sequence);
            acknowledgement.Done.TrySetResult(new AuditReceipt(acknowledgement.Record.Sequence, acknowledgement.Record.Hash));
        }
        catch (AuditTrailChangedException)
        {
            // The trail changed while the finding waited: check it again, and ask for an acknowledgement of what is found now.
            var keys = await keyring.KnownKeysAsync();
            var state = await tailCheck.CheckAsync(keys, CancellationToken.None);
            store.Start(state, await keyring.ChainKeyAsync(), keys);
            _alarm = null;
            if (state.Finding is { } finding)
            {
                await RaiseAsync(finding, (state.Sequence, state.Hash));
            }

            acknowledgement.Done.TrySetException(new AuditUnavailableException(state.Finding is { } again
                ? $"The audit trail changed while the finding waited for acknowledgement; Shield checked it again and found: {again.Problem} Read it and acknowledge that."
                : "The audit trail changed while the finding waited for acknowledgement; Shield checked it again and it now verifies."));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogAcknowledgementFailed(logger, error);
            if (!alarm.HaltsRecording)
            {
                Interlocked.CompareExchange(ref _pending, acknowledgement, null); // recorded by configuration: try again
            }

            acknowledgement.Done.TrySetException(new AuditUnavailableException("The acknowledgement could not be recorded; try again.", error));
        }
    }

    /// <summary>Shield stops: whoever waits for an acknowledgement hears so.</summary>
    public void Stop() => _pending?.Done.TrySetException(new AuditUnavailableException("Shield stopped before the acknowledgement was recorded."));

    [LoggerMessage(Level = LogLevel.Critical, Message = "The audit trail was altered: {Problem} Nothing is recorded, and so every call is refused, until an administrator acknowledges it (console: Audit; API: POST /api/audit/tamper/acknowledge).")]
    private static partial void LogTamperDetected(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tampering with the audit trail was acknowledged by {Actor} in record {Sequence}; recording resumes.")]
    private static partial void LogTamperAcknowledged(ILogger logger, string actor, long sequence);

    [LoggerMessage(Level = LogLevel.Error, Message = "The acknowledgement of tampering with the audit trail could not be recorded.")]
    private static partial void LogAcknowledgementFailed(ILogger logger, Exception exception);
}
