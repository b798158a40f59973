using System.Threading.Channels;
using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>
/// The bounded queue between callers and the writer's loop: records handed over, flushes, wake-ups. A caller waits
/// while the writer makes progress (a burst is not an outage), and gives its record up once the writer has made none for
/// the commit bound (a stuck store), so every caller hears back within <see cref="AuditOptions.StoreTimeout"/>.
/// </summary>
internal sealed class AuditQueue(AuditOptions options, TimeProvider time)
{
    private readonly Channel<AuditPending> _channel = Channel.CreateBounded<AuditPending>(new BoundedChannelOptions(options.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly List<TaskCompletionSource<AuditReceipt>> _flushes = [];
    private readonly TimeSpan _tick = options.CommitTimeout / 8;
    private long _progressAt; // when the writer last finished a step (a commit attempt, its start, going idle)
    private Deadline? _deadline;

    /// <summary>Why the record could not be handed over, or null once it is in the queue.</summary>
    public async ValueTask<string?> HandOverAsync(AuditPending pending, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(pending))
        {
            return null;
        }

        using var full = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        full.CancelAfter(options.CommitTimeout);
        try
        {
            await _channel.Writer.WriteAsync(pending, full.Token);
            return null;
        }
        catch (ChannelClosedException)
        {
            return "Shield is stopping and can no longer record.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"The audit trail is {options.QueueCapacity} records behind and took none within {Seconds(options.CommitTimeout)}.";
        }
    }

    /// <summary>The record's receipt, or null when the writer made no progress for the commit bound and the record was given up.</summary>
    public async ValueTask<AuditReceipt?> WaitAsync(AuditPending pending, Func<bool> running, CancellationToken cancellationToken)
    {
        while (true)
        {
            // Callers share one timer per tick rather than one each: thousands wait at once at full load.
            var deadline = Current();
            using var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline) : null;
            try
            {
                return await pending.Done.Task.WaitAsync(linked?.Token ?? deadline);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (running() && time.GetElapsedTime(Volatile.Read(ref _progressAt)) < options.CommitTimeout)
                {
                    continue; // working through a backlog: wait on
                }

                if (pending.Abandon())
                {
                    return null; // never to be written, so the caller can be refused now
                }

                // Taken into a commit just now: its outcome follows within the commit's own bound.
                return await pending.Done.Task.WaitAsync(cancellationToken);
            }
        }
    }

    // A token that fires about one commit bound from now: made at most once per tick, and shared.
    private CancellationToken Current()
    {
        var now = time.GetTimestamp();
        var current = Volatile.Read(ref _deadline);
        if (current is not null && !current.Source.IsCancellationRequested && time.GetElapsedTime(current.MadeAt, now) < _tick)
        {
            return current.Source.Token;
        }

        var fresh = new Deadline(now, new CancellationTokenSource(options.CommitTimeout, time));
        var previous = Interlocked.CompareExchange(ref _deadline, fresh, current);
        if (!ReferenceEquals(previous, current))
        {
            fresh.Source.Dispose();
            return previous!.Source.Token;
        }

        return fresh.Source.Token;
    }

    private sealed record Deadline(long MadeAt, CancellationTokenSource Source);

    /// <summary>Hands a record over without waiting for its commit; waits only while the queue is full.</summary>
    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken cancellationToken)
    {
        var pending = new AuditPending(record, awaited: false);
        // Nobody awaits this record: its failure is observed here (the writer has logged it already).
        _ = pending.Done.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return _channel.Writer.TryWrite(pending) ? ValueTask.CompletedTask : _channel.Writer.WriteAsync(pending, cancellationToken);
    }

    /// <summary>Waits until every record handed over before this call is committed or refused.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flush = new AuditPending(null);
        await _channel.Writer.WriteAsync(flush, cancellationToken);
        await flush.Done.Task.WaitAsync(cancellationToken);
    }

    public void Wake() => _channel.Writer.TryWrite(AuditPending.Wake);

    /// <summary>The writer finished a step.</summary>
    public void Progressed() => Volatile.Write(ref _progressAt, time.GetTimestamp());

    public bool HasWork => _channel.Reader.TryPeek(out _);

    /// <summary>Waits for something to do, at most <paramref name="tick"/>; false when the tick came first.</summary>
    public async Task<bool> WaitForWorkAsync(TimeSpan tick, CancellationToken stoppingToken)
    {
        Progressed();
        if (HasWork)
        {
            return true;
        }

        using var ticking = new CancellationTokenSource(tick, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, ticking.Token);
        try
        {
            return await _channel.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the batch should wait up to <see cref="AuditOptions.GroupCommitWindow"/> for more before it is committed:
    /// when nobody waits for any of its records (outcomes of calls already answered, security events) and no flush
    /// waits on it. One agent's next call then shares the commit of the last one's outcome, one transaction (and one
    /// sync to disk) where there were two. Whatever arrives in the meantime (a record awaited, a flush, a wake-up) ends the wait.
    /// </summary>
    public bool MayWaitForMore(List<AuditPending> batch) =>
        options.GroupCommitWindow > TimeSpan.Zero && batch.Count > 0 && batch.Count < options.BatchSize && _flushes.Count == 0
        && batch.TrueForAll(static pending => !pending.Awaited);

    /// <summary>Takes up to a batch of records the callers still wait for; flushes wait for the batch's outcome.</summary>
    public void Drain(List<AuditPending> batch)
    {
        while (batch.Count < options.BatchSize && _channel.Reader.TryRead(out var pending))
        {
            if (pending.Record is not null)
            {
                if (pending.Take())
                {
                    batch.Add(pending);
                }
            }
            else if (!ReferenceEquals(pending, AuditPending.Wake))
            {
                _flushes.Add(pending.Done);
            }
        }
    }

    /// <summary>Everything handed over before a flush was in this batch or an earlier one: it is committed (or refused) now.</summary>
    public void Flushed(List<AuditPending> batch)
    {
        batch.Clear();
        foreach (var flush in _flushes)
        {
            flush.TrySetResult(default);
        }

        _flushes.Clear();
    }

    /// <summary>No more records: what is queued is still committed or refused.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    public static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.##} s";
}
