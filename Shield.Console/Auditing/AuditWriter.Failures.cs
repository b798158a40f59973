using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

// What the writer tells callers when the trail cannot take their records: refused (fail closed), or let through and
// counted as a gap (fail open); and what it logs.
public sealed partial class AuditWriter
{
    private void Refuse(List<AuditPending> batch, string cause, Exception? error)
    {
        if (error is not null && (batch.Count > 0 || _failure is null))
        {
            LogWriteFailed(_logger, batch.Count, error);
        }

        _failure = cause;
        if (_options.FailOpen && _tamper.Alarm is not { Halted: true })
        {
            _gaps.Unrecorded(batch.Select(p => p.Record!), cause, _time.GetUtcNow().UtcDateTime);
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult(AuditReceipt.NotRecorded);
            }

            _outbox.ReleaseAll();
            return;
        }

        var refusal = new AuditUnavailableException(
            $"The audit trail cannot be written, so Shield refuses to go on without a record: {cause} Try again shortly; operators see the cause at /healthz.", error);
        foreach (var pending in batch)
        {
            pending.Done.TrySetException(refusal);
        }

        _outbox.FailAll(refusal);
    }

    private AuditReceipt Unrecorded(AuditRecord record, string cause)
    {
        if (!_options.FailOpen)
        {
            throw new AuditUnavailableException(
                $"The audit trail cannot be written, so Shield refuses to go on without a record: {cause} Try again shortly; operators see the cause at /healthz.");
        }

        _gaps.Unrecorded([record], cause, _time.GetUtcNow().UtcDateTime);
        return AuditReceipt.NotRecorded;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit trail could not be written; {Count} waiting record(s) were refused.")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit writer could not sign a checkpoint while stopping.")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit trail cannot be read to check its tail; trying again.")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Section}:KeyFile is not set: records are sealed with the audit key kept in the database, so whoever can read and write the database can forge them. Set a key file kept outside the database's reach (docs/audit.md).")]
    private static partial void LogKeyInDatabase(ILogger logger, string section);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This instance joins the cluster's audit trail with a new, empty anchor file {Path}: it checked the records after the newest signed checkpoint in the database and anchors from record {Sequence} on; earlier records are anchored in the other instances' files.")]
    private static partial void LogJoined(ILogger logger, string path, long sequence);
}
