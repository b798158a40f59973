using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

// One batch's commit: refused over a tail found altered and not acknowledged, chained after another instance's commit
// when one came first, refused (or let through, failing open) when the store cannot take it.
public sealed partial class AuditWriter
{
    private async Task CommitAsync(List<AuditPending> batch)
    {
        if (_tamper.Alarm is { AcknowledgedIn: null } tamper)
        {
            // Never chained, and so never signed, over a tail found altered and not yet acknowledged.
            Refuse(batch, tamper.Refusal, null);
            _outbox.FailAll(new AuditUnavailableException(tamper.Refusal));
            return;
        }

        var sweep = _outbox.TakeSweepRequest();
        if (batch.Count == 0 && !sweep)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            // Each command waits at most CommitTimeout for a lock or an answer; the whole commit, which may hold thousands of
            // records on a busy machine, is cut off only if it goes on far longer than that.
            using var bound = new CancellationTokenSource(_options.CommitTimeout * 4, _time);
            Volatile.Write(ref _attemptStarted, _time.GetTimestamp());
            try
            {
                var chained = await _store.CommitAsync(batch, sweep, bound.Token);
                _failure = null;
                Committed(batch);

                if (chained is { } governance)
                {
                    _outbox.Chained(governance);
                }

                return;
            }
            catch (AuditTamperException tampering)
            {
                _store.Forget();
                await _tamper.RaiseAsync(tampering.Finding, tampering.Tail);
                Refuse(batch, _tamper.Alarm!.Refusal, null);
                return;
            }
            catch (Exception error) when (attempt < 3 && DatabaseErrors.IsUniqueViolation(error))
            {
                // Another instance extended the chain first: read its head and chain after it. Unless the clash is this
                // very batch, committed by an attempt whose answer was lost: then it is done.
                _store.Forget();
                if (await _store.AlreadyCommittedAsync(batch))
                {
                    Committed(batch);
                    return;
                }
            }
            catch (Exception error)
            {
                _store.Forget();
                _outbox.RequestSweep();
                var cause = bound.IsCancellationRequested || DatabaseErrors.IsTimeout(error)
                    ? $"The audit store did not answer within {AuditQueue.Seconds(_options.CommitTimeout)} (locked, slow or unreachable)."
                    : $"The audit store cannot be written ({error.GetType().Name}).";
                Refuse(batch, cause, error);
                return;
            }
            finally
            {
                Volatile.Write(ref _attemptStarted, 0);
                _queue.Progressed();
            }
        }
    }

    private static void Committed(List<AuditPending> batch)
    {
        foreach (var pending in batch)
        {
            pending.Done.TrySetResult(new AuditReceipt(pending.Record!.Sequence, pending.Record.Hash));
        }
    }
}
