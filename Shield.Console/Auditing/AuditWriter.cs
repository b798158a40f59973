using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// The one writer of the audit chain. Callers hand records over through a bounded queue and await their commit; the
/// writer commits them in batches, one transaction each, chaining and sealing every record after the one before.
/// Governance changes reach it through an outbox (<see cref="GovernanceOutbox"/>), checkpoints and anchors are
/// <see cref="AuditCheckpointer"/>'s, and what fail-open lets through unrecorded is <see cref="AuditGaps"/>'.
/// Before it chains anything it checks the stored tail (<see cref="AuditTailCheck"/>): a trail found altered is
/// never signed over, and, by default, nothing is recorded (so every call is refused) until an administrator
/// acknowledges the finding. A store that is locked, slow or gone refuses callers within
/// <see cref="AuditOptions.StoreTimeout"/> (<see cref="AuditUnavailableException"/>), unless configured to fail open.
/// </summary>
public sealed partial class AuditWriter : BackgroundService
{
    /// <summary>How often the writer looks for governance changes nobody told it about, and tries a failed store again.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly IDbContextFactory<ShieldDbContext> _contexts;
    private readonly AuditKeyring _keyring;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditWriter> _logger;
    private readonly Channel<AuditPending> _queue;
    private readonly GovernanceOutbox _outbox;
    private readonly AuditCheckpointer _checkpointer;
    private readonly AuditGaps _gaps = new();
    private readonly AuditTailCheck _tailCheck;
    private readonly List<TaskCompletionSource<AuditReceipt>> _flushes = [];

    private (long Sequence, string Hash)? _tail;
    private AuditChainKey? _key;
    private AuditChainKey? _sealKey; // the key the stored tail is sealed with; null before the trail is sealed
    private volatile string? _failure = "The audit writer is starting.";
    private volatile AuditTamperAlarm? _tamper;
    private PendingAcknowledgement? _acknowledgement;
    private long _attemptStarted;
    private long _progressAt; // when the writer last finished a step (a commit attempt, its start, going idle)
    private volatile bool _running;

    public AuditWriter(
        IDbContextFactory<ShieldDbContext> contexts,
        AuditKeyring keyring,
        IOptions<AuditOptions> options,
        IOptions<DatabaseOptions> database,
        IHostEnvironment environment,
        TimeProvider time,
        ILogger<AuditWriter> logger)
    {
        _contexts = contexts;
        _keyring = keyring;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<AuditPending>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _outbox = new GovernanceOutbox(time);
        var anchors = new AuditAnchorFile(_options.AnchorPath(database.Value, environment.ContentRootPath));
        _checkpointer = new AuditCheckpointer(anchors, _options.CheckpointInterval, time, logger);
        _tailCheck = new AuditTailCheck(contexts, anchors);
    }

    /// <summary>Null while the trail is being written; otherwise why it cannot be.</summary>
    public string? Failure =>
        !_running ? "The audit writer is not running."
        : _tamper is { Halted: true } tamper ? tamper.Refusal
        : Stuck is { } stuck ? stuck
        : _failure;

    /// <summary>Tampering found at start, until Shield stops; whether it still halts the trail.</summary>
    public AuditTamperAlarm? Tamper => _tamper;

    /// <summary>Null while every checkpoint reached the anchor file.</summary>
    public string? AnchorFailure => _checkpointer.AnchorFailure;

    /// <summary>The anchor file this writer appends to.</summary>
    public AuditAnchorFile Anchors => _checkpointer.Anchors;

    private string? Stuck => Volatile.Read(ref _attemptStarted) is var started and > 0 && _time.GetElapsedTime(started) > _options.CommitTimeout
        ? $"The audit store has not answered for {_time.GetElapsedTime(started).TotalSeconds:0.0} s (locked, slow or unreachable)."
        : null;

    /// <summary>Records one entry and waits until it is committed to the chain.</summary>
    /// <exception cref="AuditUnavailableException">The trail cannot be written and Shield fails closed.</exception>
    /// <param name="record">The entry.</param>
    /// <param name="cancellationToken">Stops waiting (the record may still be committed).</param>
    /// <param name="checkpoint">Sign a checkpoint in the same commit, as the pruning record needs to be trusted at once.</param>
    public async ValueTask<AuditReceipt> AppendAsync(AuditRecord record, CancellationToken cancellationToken = default, bool checkpoint = false)
    {
        if (_tamper is { Halted: true } tamper)
        {
            throw new AuditUnavailableException(tamper.Refusal);
        }

        var pending = new AuditPending(record, checkpoint);
        var started = _time.GetTimestamp();
        if (!_queue.Writer.TryWrite(pending))
        {
            using var full = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            full.CancelAfter(_options.CommitTimeout);
            try
            {
                await _queue.Writer.WriteAsync(pending, full.Token);
            }
            catch (ChannelClosedException)
            {
                return Unrecorded(record, "Shield is stopping and can no longer record.");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Unrecorded(record, $"The audit trail is {_options.QueueCapacity} records behind and took none within {Seconds(_options.CommitTimeout)}.");
            }
        }

        // A writer working through a backlog is waited for; one that has made no progress for CommitTimeout is stuck.
        var slice = _options.CommitTimeout - _time.GetElapsedTime(started);
        while (true)
        {
            try
            {
                return await pending.Done.Task.WaitAsync(slice > TimeSpan.Zero ? slice : TimeSpan.Zero, _time, cancellationToken);
            }
            catch (TimeoutException) when (_running && _time.GetElapsedTime(Volatile.Read(ref _progressAt)) < _options.CommitTimeout)
            {
                slice = _options.CommitTimeout;
            }
            catch (TimeoutException) when (pending.Abandon())
            {
                // The writer is stuck on an earlier commit: this record will never be written, so the caller can be refused now.
                return Unrecorded(record, $"The audit store did not answer within {Seconds(_options.CommitTimeout)} (locked, slow or unreachable).");
            }
            catch (TimeoutException)
            {
                // Taken into a commit just now: its outcome follows within the commit's own bound.
                return await pending.Done.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// Hands a record over without waiting for its commit: for what follows a record already committed (a call's outcome
    /// after its decision), where the caller has nothing to refuse any more. Waits only while the queue is full. A record
    /// that then cannot be written is logged and reported by the health check like any other.
    /// </summary>
    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        var pending = new AuditPending(record);
        // Nobody awaits this record: its failure is observed here (the writer has logged it already).
        _ = pending.Done.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return _queue.Writer.TryWrite(pending) ? ValueTask.CompletedTask : _queue.Writer.WriteAsync(pending, cancellationToken);
    }

    /// <summary>Waits until every record handed over before this call is committed or refused.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = new AuditPending(null);
        await _queue.Writer.WriteAsync(flush, cancellationToken);
        await flush.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until the governance change with this id (already committed) is chained.</summary>
    public Task GovernanceRecordedAsync(long changeId, CancellationToken cancellationToken = default) =>
        _tamper is { Halted: true } tamper
            ? Task.FromException(new AuditUnavailableException($"{tamper.Refusal} The change is kept and recorded once it is acknowledged."))
            : _outbox.RecordedAsync(changeId, () => _queue.Writer.TryWrite(AuditPending.Wake), cancellationToken);

    /// <summary>
    /// An administrator has read the tampering found at start and decides to go on: the finding becomes an
    /// <c>audit.tamper-detected</c> record, chained after the stored tail as it is, and recording resumes.
    /// </summary>
    /// <returns>The record's place in the chain, or null when there is nothing to acknowledge.</returns>
    public async Task<AuditReceipt?> AcknowledgeTamperAsync(Actor by, string reason, CancellationToken cancellationToken = default)
    {
        if (_tamper is not { Halted: true } tamper)
        {
            return null;
        }

        _ = tamper;

        var done = new TaskCompletionSource<AuditReceipt>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _acknowledgement, new PendingAcknowledgement(TamperRecord(tamper.Finding, by, reason), done));
        _queue.Writer.TryWrite(AuditPending.Wake);
        return await done.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        List<AuditPending> batch = new(_options.BatchSize);
        try
        {
            await StartChainAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForWorkAsync(stoppingToken);
                await AcknowledgeAsync();
                Drain(batch);
                await CommitAsync(batch);
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
                await CommitAsync(batch);
                Flushed(batch);
            }

            await CheckpointOnStopAsync();
            _running = false;
            _outbox.Stop(new AuditUnavailableException("Shield stopped before the change was recorded; it is recorded at the next start."));
            _acknowledgement?.Done.TrySetException(new AuditUnavailableException("Shield stopped before the acknowledgement was recorded."));
        }
    }

    // The keys, and a check of the stored tail: until both are done nothing is chained. A store that cannot be read
    // yet is tried again every second (callers meanwhile are refused as for any outage).
    private async Task StartChainAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                _key = await _keyring.ChainKeyAsync(stoppingToken);
                var state = await _tailCheck.CheckAsync(await _keyring.KnownKeysAsync(stoppingToken), stoppingToken);
                _tail = (state.Sequence, state.Hash);
                _sealKey = state.SealKey;
                if (!_keyring.ChainKeyOutsideDatabase)
                {
                    LogKeyInDatabase(_logger, AuditOptions.SectionName);
                }

                _failure = null;
                if (state.Finding is { } finding)
                {
                    LogTamperDetected(_logger, finding.Problem);
                    _tamper = new AuditTamperAlarm(finding, _time.GetUtcNow().UtcDateTime, _options.OnTamper == AuditTamperResponse.Halt);
                    if (_options.OnTamper == AuditTamperResponse.Record)
                    {
                        // Recorded before anything else; if that fails, the loop tries again and records nothing meanwhile.
                        _acknowledgement = new PendingAcknowledgement(TamperRecord(finding, Actor.Shield("audit"), $"{AuditOptions.SectionName}:OnTamper is Record."), new(TaskCreationOptions.RunContinuationsAsynchronously));
                        await AcknowledgeAsync();
                    }
                }

                return;
            }
            catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                _failure ??= $"The audit trail cannot be read to check it ({error.GetType().Name}).";
                LogStartFailed(_logger, error);
                await Task.Delay(SweepInterval, _time, stoppingToken);
            }
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        Volatile.Write(ref _progressAt, _time.GetTimestamp());
        if (_queue.Reader.TryPeek(out _))
        {
            return;
        }

        using var tick = new CancellationTokenSource(SweepInterval, _time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, tick.Token);
        try
        {
            await _queue.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            _outbox.RequestSweep();
        }
    }

    private void Drain(List<AuditPending> batch)
    {
        while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var pending))
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

    // Everything handed over before a flush was in this batch or an earlier one: it is committed (or refused) now.
    private void Flushed(List<AuditPending> batch)
    {
        batch.Clear();
        foreach (var flush in _flushes)
        {
            flush.TrySetResult(default);
        }

        _flushes.Clear();
    }

    private async Task CommitAsync(List<AuditPending> batch)
    {
        if (_tamper is { AcknowledgedIn: null } tamper)
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
                var chained = await WriteBatchAsync(batch, sweep, bound.Token);
                _failure = null;
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult(new AuditReceipt(pending.Record!.Sequence, pending.Record.Hash));
                }

                if (chained is { } governance)
                {
                    _outbox.Chained(governance);
                }

                return;
            }
            catch (Exception error) when (attempt < 3 && DatabaseErrors.IsUniqueViolation(error))
            {
                // Another instance extended the chain first: read its head and chain after it.
                _tail = null;
            }
            catch (Exception error)
            {
                _tail = null;
                _outbox.RequestSweep();
                var cause = bound.IsCancellationRequested || DatabaseErrors.IsTimeout(error)
                    ? $"The audit store did not answer within {Seconds(_options.CommitTimeout)} (locked, slow or unreachable)."
                    : $"The audit store cannot be written ({error.GetType().Name}).";
                Refuse(batch, cause, error);
                return;
            }
            finally
            {
                Volatile.Write(ref _attemptStarted, 0);
                Volatile.Write(ref _progressAt, _time.GetTimestamp());
            }
        }
    }

    // SQL Server retries transient failures only around a whole transaction: each attempt starts afresh.
    private async Task<GovernanceOutbox.Sweep?> WriteBatchAsync(List<AuditPending> batch, bool sweep, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        DatabaseErrors.Bound(db, _options.CommitTimeout);
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear(); // a retry starts from nothing the failed attempt left behind
            return await WriteBatchCoreAsync(db, batch, sweep, cancellationToken);
        });
    }

    private async Task<GovernanceOutbox.Sweep?> WriteBatchCoreAsync(ShieldDbContext db, List<AuditPending> batch, bool sweep, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        _tail ??= await TailAsync(db, cancellationToken);
        var now = _time.GetUtcNow().UtcDateTime;
        List<AuditRecord> records = [];
        if (_sealKey?.Id != _key!.Id)
        {
            records.Add(SealingRecord(now));
        }

        var gap = _gaps.Record(now);
        if (gap is not null)
        {
            records.Add(gap);
        }

        var governance = sweep ? await _outbox.CollectAsync(db, _options.BatchSize, cancellationToken) : null;
        records.AddRange(governance?.Records ?? []);
        records.AddRange(batch.Select(p => p.Record!));

        var (sequence, hash) = Chain(records, _tail.Value);
        await AuditRecordInserter.InsertAsync(db, records, cancellationToken);
        var checkpoint = _checkpointer.Due(records.Count > 0, batch.Any(p => p.Checkpoint), sequence, hash, now, _key);
        if (checkpoint is not null)
        {
            db.AuditCheckpoints.Add(checkpoint);
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _tail = (sequence, hash);
        _sealKey = _key;
        if (gap is not null)
        {
            _gaps.Recorded(gap);
        }

        _checkpointer.Committed(checkpoint, _key);
        return governance;
    }

    // Links and seals each record after the one before; a sealing record is sealed with the key it hands over from.
    private (long Sequence, string Hash) Chain(List<AuditRecord> records, (long Sequence, string Hash) tail)
    {
        var (sequence, hash) = tail;
        var sealKey = _sealKey;
        foreach (var record in records)
        {
            AuditFields.Clip(record);
            var sealing = record.EventType == AuditEventTypes.Sealing;
            AuditChain.Link(record, ++sequence, hash, sealing ? sealKey ?? _key : sealKey);
            sealKey = sealing ? _key : sealKey;
            hash = record.Hash;
        }

        return (sequence, hash);
    }

    private static async Task<(long, string)> TailAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        var head = await db.AuditRecords.AsNoTracking().OrderByDescending(r => r.Sequence)
            .Select(r => new { r.Sequence, r.Hash }).FirstOrDefaultAsync(cancellationToken);
        return head is null ? (0L, AuditChain.Genesis) : (head.Sequence, head.Hash);
    }

    // The acknowledged finding goes into the chain after the stored tail as it is; a tail cut short also voids the
    // checkpoints and anchors of the records that are gone, since new records now take their numbers.
    private async Task AcknowledgeAsync()
    {
        if (Interlocked.Exchange(ref _acknowledgement, null) is not { } acknowledgement || _tamper is not { AcknowledgedIn: null } tamper)
        {
            return;
        }

        try
        {
            await using var db = await _contexts.CreateDbContextAsync();
            DatabaseErrors.Bound(db, _options.CommitTimeout);
            await using var transaction = await db.Database.BeginTransactionAsync();
            var tail = await TailAsync(db, CancellationToken.None);
            if (tamper.Finding.MissingFrom is not null)
            {
                await db.AuditCheckpoints.Where(c => c.Sequence > tail.Item1).ExecuteDeleteAsync();
            }

            var now = _time.GetUtcNow().UtcDateTime;
            List<AuditRecord> records = _sealKey?.Id != _key!.Id ? [SealingRecord(now), acknowledgement.Record] : [acknowledgement.Record];
            var (sequence, hash) = Chain(records, tail);
            await AuditRecordInserter.InsertAsync(db, records, CancellationToken.None);
            var checkpoint = AuditCheckpointer.Sign(_key, sequence, hash, now);
            db.AuditCheckpoints.Add(checkpoint);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            _tail = (sequence, hash);
            _sealKey = _key;
            if (tamper.Finding.MissingFrom is not null)
            {
                _checkpointer.Reset(tail.Item1, tail.Item2, _key);
            }

            _checkpointer.Committed(checkpoint, _key);
            _tamper = tamper with { AcknowledgedIn = acknowledgement.Record.Sequence };
            _outbox.RequestSweep();
            LogTamperAcknowledged(_logger, acknowledgement.Record.ActorName, sequence);
            acknowledgement.Done.TrySetResult(new AuditReceipt(acknowledgement.Record.Sequence, acknowledgement.Record.Hash));
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogWriteFailed(_logger, 1, error);
            if (!tamper.HaltsRecording)
            {
                Interlocked.CompareExchange(ref _acknowledgement, acknowledgement, null); // recorded by configuration: try again
            }

            acknowledgement.Done.TrySetException(new AuditUnavailableException("The acknowledgement could not be recorded; try again.", error));
        }
    }

    private void Refuse(List<AuditPending> batch, string cause, Exception? error)
    {
        if (error is not null && (batch.Count > 0 || _failure is null))
        {
            LogWriteFailed(_logger, batch.Count, error);
        }

        _failure = cause;
        if (_options.FailOpen && _tamper is not { Halted: true })
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

    private async Task CheckpointOnStopAsync()
    {
        if (!_checkpointer.Behind || _tail is not { } tail || tail.Sequence == 0 || _key is null || _tamper is { AcknowledgedIn: null })
        {
            return;
        }

        try
        {
            await using var db = await _contexts.CreateDbContextAsync();
            DatabaseErrors.Bound(db, _options.CommitTimeout);
            var checkpoint = AuditCheckpointer.Sign(_key, tail.Sequence, tail.Hash, _time.GetUtcNow().UtcDateTime);
            db.AuditCheckpoints.Add(checkpoint);
            await db.SaveChangesAsync();
            _checkpointer.Committed(checkpoint, _key);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCheckpointFailed(_logger, exception);
        }
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

    private AuditRecord SealingRecord(DateTime now) => new()
    {
        AtUtc = now,
        EventType = AuditEventTypes.Sealing,
        ActorKind = Actor.System,
        ActorId = "audit",
        ActorName = "Shield (audit trail)",
        Subject = "audit",
        SubjectKey = _key!.Id,
        Action = _sealKey is null ? "sealed" : "key-changed",
        Reason = _key.Source == AuditKeySource.File
            ? $"From the next record on, records are sealed with the chain key from {AuditOptions.SectionName}:KeyFile."
            : $"From the next record on, records are sealed with the audit key kept in the database ({AuditOptions.SectionName}:KeyFile is not set).",
        After = new AuditSealing(_key.Id, _key.Source == AuditKeySource.File ? "file" : "database", _sealKey?.Id).ToJson(),
    };

    private AuditRecord TamperRecord(AuditTamperFinding finding, Actor by, string reason) => new()
    {
        AtUtc = _time.GetUtcNow().UtcDateTime,
        EventType = AuditEventTypes.TamperDetected,
        ActorKind = by.Kind,
        ActorId = by.Id,
        ActorName = by.Name,
        Subject = "audit",
        SubjectKey = finding.From is { } from ? $"{from}-{finding.Through}" : $"{finding.MissingFrom}-{finding.MissingThrough}",
        Action = "acknowledged",
        Outcome = "tamper-detected",
        Reason = reason,
        After = finding.ToJson(),
    };

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.##} s";

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit trail could not be written; {Count} waiting record(s) were refused.")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit writer could not sign a checkpoint while stopping.")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit trail cannot be read to check its tail; trying again.")]
    private static partial void LogStartFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The audit trail was altered: {Problem} Nothing is recorded, and so every call is refused, until an administrator acknowledges it (console: Audit; API: POST /api/audit/tamper/acknowledge).")]
    private static partial void LogTamperDetected(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tampering with the audit trail was acknowledged by {Actor} in record {Sequence}; recording resumes.")]
    private static partial void LogTamperAcknowledged(ILogger logger, string actor, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Section}:KeyFile is not set: records are sealed with the audit key kept in the database, so whoever can read and write the database can forge them. Set a key file kept outside the database's reach (docs/audit.md).")]
    private static partial void LogKeyInDatabase(ILogger logger, string section);
}

internal sealed record PendingAcknowledgement(AuditRecord Record, TaskCompletionSource<AuditReceipt> Done);

/// <summary>Tampering found at start: what, when, and whether it halts recording until acknowledged.</summary>
public sealed record AuditTamperAlarm(AuditTamperFinding Finding, DateTime DetectedAtUtc, bool HaltsRecording)
{
    /// <summary>The acknowledgement's place in the chain, once acknowledged.</summary>
    public long? AcknowledgedIn { get; init; }

    /// <summary>Nothing is recorded, and so every call is refused, until an administrator acknowledges it.</summary>
    public bool Halted => HaltsRecording && AcknowledgedIn is null;

    public string Refusal =>
        $"Shield found the audit trail altered ({Finding.Problem}) and records nothing until an administrator acknowledges it (console: Audit; API: POST /api/audit/tamper/acknowledge).";
}
