using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// The one writer of the audit chain. Callers hand records over through a bounded queue and await their commit;
/// the writer commits them in batches, one transaction each, chaining every record to the one before. Governance
/// changes are written by the services that make them, in the same transaction as the change, and the writer chains
/// them from there (an outbox), so none is lost even if Shield stops between the change and its record.
/// When the store cannot be written, every waiting caller gets <see cref="AuditUnavailableException"/> (fail closed)
/// and the health check reports the trail unhealthy, unless <see cref="AuditOptions.FailOpen"/> is set.
/// </summary>
public sealed partial class AuditWriter(
    IDbContextFactory<ShieldDbContext> contexts,
    AuditKeyring keyring,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditWriter> logger) : BackgroundService
{
    /// <summary>How often the writer looks for governance changes nobody told it about (other instances, restarts).</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private const long GovernanceLookBack = 1_000;

    private readonly AuditOptions _options = options.Value;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly Lock _waitersLock = new();
    private readonly List<TaskCompletionSource<AuditReceipt>> _flushes = [];
    private readonly List<(long ChangeId, TaskCompletionSource Done)> _governanceWaiters = [];
    private (long Sequence, string Hash)? _tail;
    private long? _governanceThrough;

    // Governance change ids chained within the look-back window: a late change is waited for by its own id.
    private readonly HashSet<long> _recentlyChained = [];
    private volatile bool _sweepRequested = true;
    private volatile string? _failure;
    private volatile bool _running;
    private volatile bool _stopped;
    private DateTime _lastCheckpointAt;
    private bool _uncheckpointed;

    /// <summary>Null while the trail is being written; otherwise why it cannot be.</summary>
    public string? Failure => _running ? _failure : "The audit writer is not running.";

    /// <summary>Records one entry and waits until it is committed to the chain.</summary>
    /// <exception cref="AuditUnavailableException">The trail cannot be written and Shield fails closed.</exception>
    /// <param name="record">The entry.</param>
    /// <param name="cancellationToken">Stops waiting (the record may still be committed).</param>
    /// <param name="checkpoint">Sign a checkpoint in the same commit, as the pruning record needs to be trusted at once.</param>
    public async ValueTask<AuditReceipt> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default, bool checkpoint = false)
    {
        var pending = new Pending(record, new TaskCompletionSource<AuditReceipt>(TaskCreationOptions.RunContinuationsAsynchronously), checkpoint);
        try
        {
            await _queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return Unavailable("Shield is stopping and can no longer record.");
        }

        return await pending.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Hands a record over without waiting for its commit: for what follows a record already committed (a call's outcome
    /// after its decision), where the caller has nothing to refuse any more. Waits only while the queue is full. A record
    /// that then cannot be written is logged and reported by the health check like any other.
    /// </summary>
    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        var pending = new Pending(record, new TaskCompletionSource<AuditReceipt>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Nobody awaits this record: its failure is observed here (the writer has logged it already).
        _ = pending.Done.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return _queue.Writer.TryWrite(pending) ? ValueTask.CompletedTask : _queue.Writer.WriteAsync(pending, cancellationToken);
    }

    /// <summary>Waits until every record handed over before this call is committed or refused.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = new Pending(null, new TaskCompletionSource<AuditReceipt>(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(flush, cancellationToken);
        await flush.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until the governance change with this id (already committed) is chained.</summary>
    public async Task GovernanceRecordedAsync(long changeId, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            if (IsChained(changeId))
            {
                return;
            }

            if (_stopped)
            {
                throw new AuditUnavailableException("Shield is stopping; the change is recorded at the next start.");
            }

            _governanceWaiters.Add((changeId, done));
        }

        _sweepRequested = true;
        _queue.Writer.TryWrite(Pending.Wake);
        await done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        _lastCheckpointAt = DateTime.MinValue; // the first batch is checkpointed at once: a trail never lacks one
        List<Pending> batch = new(_options.BatchSize);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForWorkAsync(stoppingToken);
                Drain(batch);
                await CommitAsync(batch, CancellationToken.None);
                Flushed(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Whatever was handed over before the stop is still committed (or refused), never silently dropped.
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryPeek(out _))
            {
                Drain(batch);
                await CommitAsync(batch, CancellationToken.None);
                Flushed(batch);
            }

            await CheckpointOnStopAsync();
            lock (_waitersLock)
            {
                _stopped = true;
            }

            _running = false;
            FailGovernanceWaiters(new AuditUnavailableException("Shield stopped before the change was recorded; it is recorded at the next start."));
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        if (_queue.Reader.TryPeek(out _))
        {
            return;
        }

        using var tick = new CancellationTokenSource(SweepInterval, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tick.Token);
        try
        {
            await _queue.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            _sweepRequested = true;
        }
    }

    private void Drain(List<Pending> batch)
    {
        while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var pending))
        {
            if (pending.Record is not null)
            {
                batch.Add(pending);
            }
            else if (!ReferenceEquals(pending, Pending.Wake))
            {
                _flushes.Add(pending.Done);
            }
        }
    }

    // Everything handed over before a flush was in this batch or an earlier one: it is committed (or refused) now.
    private void Flushed(List<Pending> batch)
    {
        batch.Clear();
        foreach (var flush in _flushes)
        {
            flush.TrySetResult(default!);
        }

        _flushes.Clear();
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        var sweep = _sweepRequested;
        if (batch.Count == 0 && !sweep)
        {
            return;
        }

        _sweepRequested = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var governance = await WriteBatchAsync(batch, sweep, cancellationToken);
                _failure = null;
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult(new AuditReceipt(pending.Record!.Sequence, pending.Record.Hash));
                }

                ReleaseGovernanceWaiters(governance);
                return;
            }
            catch (Exception exception) when (attempt < 3 && exception is DbUpdateException or System.Data.Common.DbException)
            {
                // Another instance extended the chain first: read its head and chain after it.
                _tail = null;
            }
            catch (Exception exception)
            {
                _tail = null;
                _sweepRequested = true;
                Fail(batch, exception);
                return;
            }
        }
    }

    // SQL Server retries transient failures only around a whole transaction: each attempt starts afresh.
    private async Task<(long Through, List<long> Ids)?> WriteBatchAsync(List<Pending> batch, bool sweep, CancellationToken cancellationToken)
    {
        var key = await keyring.GetAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear(); // a retry starts from nothing the failed attempt left behind
            return await WriteBatchCoreAsync(db, key, batch, sweep, cancellationToken);
        });
    }

    private async Task<(long Through, List<long> Ids)?> WriteBatchCoreAsync(ShieldDbContext db, byte[] key, List<Pending> batch, bool sweep, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (_tail is null)
        {
            var head = await db.AuditRecords.AsNoTracking().OrderByDescending(r => r.Sequence)
                .Select(r => new { r.Sequence, r.Hash }).FirstOrDefaultAsync(cancellationToken);
            _tail = head is null ? (0L, AuditChain.Genesis) : (head.Sequence, head.Hash);
        }

        var (sequence, hash) = _tail.Value;

        List<AuditRecord> records = [];
        (long Through, List<long> Ids)? governance = null;
        if (sweep)
        {
            // Another Shield instance on the same database may have chained changes since: start after those too.
            var cursor = Math.Max(_governanceThrough ?? await GovernanceCursorAsync(db, cancellationToken),
                await db.AuditRecords.MaxAsync(r => r.GovernanceChangeId, cancellationToken) ?? 0);
            // Look back a little: on SQL Server a change can commit after one with a higher id was already chained.
            // Only recent ones: records of old changes may have been pruned by retention, and must not be chained again.
            // Never one that is already chained, here or by another instance.
            var lookBack = cursor - GovernanceLookBack;
            var recent = time.GetUtcNow().UtcDateTime - TimeSpan.FromHours(1);
            var changes = await db.GovernanceChanges.AsNoTracking()
                .Where(c => c.Id > lookBack && (c.Id > cursor || c.AtUtc > recent) && !db.AuditRecords.Any(r => r.GovernanceChangeId == c.Id))
                .OrderBy(c => c.Id).Take(_options.BatchSize).ToListAsync(cancellationToken);
            records.AddRange(changes.Select(FromChange));
            var waiting = WaitingFor();
            var chainedElsewhere = waiting.Count == 0 ? [] : await db.AuditRecords
                .Where(r => r.GovernanceChangeId != null && waiting.Contains(r.GovernanceChangeId.Value))
                .Select(r => r.GovernanceChangeId!.Value).ToListAsync(cancellationToken);
            governance = (changes.Count > 0 ? Math.Max(cursor, changes[^1].Id) : cursor, [.. changes.Select(c => c.Id), .. chainedElsewhere]);
            if (changes.Count == _options.BatchSize)
            {
                _sweepRequested = true; // more to come
            }
        }

        records.AddRange(batch.Select(p => p.Record!));
        foreach (var record in records)
        {
            AuditChain.Link(record, ++sequence, hash);
            hash = record.Hash;
        }

        await AuditRecordInserter.InsertAsync(db, records, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        _uncheckpointed |= records.Count > 0;
        if (_uncheckpointed && (now - _lastCheckpointAt >= _options.CheckpointInterval || batch.Any(p => p.Checkpoint)))
        {
            db.AuditCheckpoints.Add(Checkpoint(key, sequence, hash, now));
        }

        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _tail = (sequence, hash);
        if (db.ChangeTracker.Entries<AuditCheckpoint>().Any())
        {
            _lastCheckpointAt = now;
            _uncheckpointed = false;
        }

        return governance;
    }

    // The last governance change chained: from the records, or, when retention pruned them, from the pruning record.
    private static async Task<long> GovernanceCursorAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        var chained = await db.AuditRecords.MaxAsync(r => r.GovernanceChangeId, cancellationToken) ?? 0;
        var pruning = await db.AuditRecords.AsNoTracking().Where(r => r.EventType == AuditEventTypes.Pruned).OrderByDescending(r => r.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
        return Math.Max(chained, pruning is null ? 0 : AuditPruning.Read(pruning)?.GovernanceThrough ?? 0);
    }

    private static AuditCheckpoint Checkpoint(byte[] key, long sequence, string hash, DateTime now) => new()
    {
        Sequence = sequence,
        Hash = hash,
        AtUtc = now,
        Signature = AuditChain.Sign(key, AuditChain.CheckpointText(sequence, hash, now)),
    };

    private async Task CheckpointOnStopAsync()
    {
        if (!_uncheckpointed || _tail is not { } tail || tail.Sequence == 0)
        {
            return;
        }

        try
        {
            var key = await keyring.GetAsync();
            await using var db = await contexts.CreateDbContextAsync();
            db.AuditCheckpoints.Add(Checkpoint(key, tail.Sequence, tail.Hash, time.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync();
            _uncheckpointed = false;
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCheckpointFailed(logger, exception);
        }
    }

    private static AuditRecord FromChange(GovernanceChange change) => new()
    {
        AtUtc = change.AtUtc,
        EventType = AuditEventTypes.Governance,
        ActorKind = change.ActorKind,
        ActorId = change.ActorId,
        ActorName = change.ActorName,
        Subject = change.Subject,
        SubjectKey = change.SubjectKey,
        Action = change.Action,
        Before = change.Before,
        After = change.After,
        GovernanceChangeId = change.Id,
        // A session's own changes (minted, ended, revoked) belong on its timeline.
        SessionId = change.Subject == "session" && Guid.TryParse(change.SubjectKey, out var session) ? session : null,
    };

    private List<long> WaitingFor()
    {
        lock (_waitersLock)
        {
            return [.. _governanceWaiters.Select(w => w.ChangeId)];
        }
    }

    private bool IsChained(long changeId) =>
        changeId <= _governanceThrough - GovernanceLookBack || _recentlyChained.Contains(changeId);

    private void ReleaseGovernanceWaiters((long Through, List<long> Ids)? chained)
    {
        if (chained is not { } governance)
        {
            return;
        }

        lock (_waitersLock)
        {
            _governanceThrough = governance.Through;
            _recentlyChained.UnionWith(governance.Ids);
            _recentlyChained.RemoveWhere(id => id <= governance.Through - GovernanceLookBack);
            for (var i = _governanceWaiters.Count - 1; i >= 0; i--)
            {
                if (IsChained(_governanceWaiters[i].ChangeId))
                {
                    _governanceWaiters[i].Done.TrySetResult();
                    _governanceWaiters.RemoveAt(i);
                }
            }

            if (_governanceWaiters.Count > 0)
            {
                _sweepRequested = true;
            }
        }
    }

    private void Fail(List<Pending> batch, Exception exception)
    {
        if (batch.Count > 0 || _failure is null)
        {
            LogWriteFailed(logger, batch.Count, exception);
        }

        _failure = $"The audit store cannot be written ({exception.GetType().Name}).";
        if (_options.FailOpen)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult(AuditReceipt.NotRecorded);
            }

            ReleaseAllGovernanceWaiters();
            return;
        }

        var refusal = new AuditUnavailableException("The audit trail cannot be written, so Shield refuses to go on without a record. Try again shortly; operators see the cause at /healthz.", exception);
        foreach (var pending in batch)
        {
            pending.Done.TrySetException(refusal);
        }

        FailGovernanceWaiters(refusal);
    }

    private void FailGovernanceWaiters(Exception refusal)
    {
        lock (_waitersLock)
        {
            foreach (var (_, done) in _governanceWaiters)
            {
                done.TrySetException(refusal);
            }

            _governanceWaiters.Clear();
        }
    }

    private void ReleaseAllGovernanceWaiters()
    {
        lock (_waitersLock)
        {
            foreach (var (_, done) in _governanceWaiters)
            {
                done.TrySetResult();
            }

            _governanceWaiters.Clear();
        }
    }

    private AuditReceipt Unavailable(string message) =>
        _options.FailOpen ? AuditReceipt.NotRecorded : throw new AuditUnavailableException(message);

    private sealed record Pending(AuditRecord? Record, TaskCompletionSource<AuditReceipt> Done, bool Checkpoint = false)
    {
        public static readonly Pending Wake = new(null, new TaskCompletionSource<AuditReceipt>());
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit trail could not be written; {Count} waiting record(s) were refused.")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit writer could not sign a checkpoint while stopping.")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);
}
