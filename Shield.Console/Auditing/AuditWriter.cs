using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Auditing;
using Shield.Core.Cluster;
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

    private readonly AuditKeyring _keyring;
    private readonly AuditOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditWriter> _logger;
    private readonly AuditQueue _queue;
    private readonly GovernanceOutbox _outbox;
    private readonly AuditCheckpointer _checkpointer;
    private readonly AuditGaps _gaps = new();
    private readonly AuditTailCheck _tailCheck;
    private readonly AuditChainStore _store;
    private volatile string? _failure = "The audit writer is starting.";
    private readonly AuditTamperDesk _tamper;
    private long _attemptStarted;
    private volatile bool _running;
    private bool _chainStarted;
    private readonly Func<bool> _isRunning;

    public AuditWriter(
        IDbContextFactory<ShieldDbContext> contexts,
        AuditKeyring keyring,
        IOptions<AuditOptions> options,
        IOptions<DatabaseOptions> database,
        IOptions<ClusterOptions> cluster,
        IHostEnvironment environment,
        TimeProvider time,
        ILogger<AuditWriter> logger,
        IAuditCommitted? committed = null)
    {
        _keyring = keyring;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _queue = new AuditQueue(_options, time);
        _isRunning = () => _running;
        _outbox = new GovernanceOutbox(time);
        var anchors = new AuditAnchorFile(_options.AnchorPath(database.Value, environment.ContentRootPath));
        _checkpointer = new AuditCheckpointer(anchors, _options.CheckpointInterval, time, logger);
        _tailCheck = new AuditTailCheck(contexts, anchors, joinable: cluster.Value.Enabled && _options.JoinWithEmptyAnchorFile);
        _store = new AuditChainStore(contexts, _options, _outbox, _checkpointer, _gaps, time, shared: cluster.Value.Enabled, committed);
        _tamper = new AuditTamperDesk(_store, _tailCheck, keyring, _outbox, _options, time, logger);
    }

    /// <summary>Null while the trail is being written; otherwise why it cannot be.</summary>
    public string? Failure =>
        !_running ? "The audit writer is not running."
        : _tamper.Alarm is { Halted: true } tamper ? tamper.Refusal
        : Stuck is { } stuck ? stuck
        : _failure;

    /// <summary>Tampering found at start, until Shield stops; whether it still halts the trail.</summary>
    public AuditTamperAlarm? Tamper => _tamper.Alarm;

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
        if (_tamper.Alarm is { Halted: true } tamper)
        {
            throw new AuditUnavailableException(tamper.Refusal);
        }

        var pending = new AuditPending(record, checkpoint);
        if (await _queue.HandOverAsync(pending, cancellationToken) is { } refused)
        {
            return Unrecorded(record, refused);
        }

        return await _queue.WaitAsync(pending, _isRunning, cancellationToken) is { } receipt
            ? receipt
            : Unrecorded(record, $"The audit store did not answer within {AuditQueue.Seconds(_options.CommitTimeout)} (locked, slow or unreachable).");
    }

    /// <summary>
    /// Hands a record over without waiting for its commit: for what follows a record already committed (a call's outcome
    /// after its decision), where the caller has nothing to refuse any more. Waits only while the queue is full. A record
    /// that then cannot be written is logged and reported by the health check like any other.
    /// </summary>
    public ValueTask EnqueueAsync(AuditRecord record, CancellationToken cancellationToken = default) => _queue.EnqueueAsync(record, cancellationToken);

    /// <summary>Waits until every record handed over before this call is committed or refused.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default) => _queue.FlushAsync(cancellationToken);

    /// <summary>Waits until the governance change with this id (already committed) is chained.</summary>
    public Task GovernanceRecordedAsync(long changeId, CancellationToken cancellationToken = default) =>
        _tamper.Alarm is { Halted: true } tamper
            ? Task.FromException(new AuditUnavailableException($"{tamper.Refusal} The change is kept and recorded once it is acknowledged."))
            : _outbox.RecordedAsync(changeId, _queue.Wake, cancellationToken);

    /// <summary>
    /// An administrator has read the tampering found at start and decides to go on: the finding becomes an
    /// <c>audit.tamper-detected</c> record, chained after the stored tail as it is, and recording resumes.
    /// </summary>
    /// <returns>The record's place in the chain, or null when there is nothing to acknowledge.</returns>
    public async Task<AuditReceipt?> AcknowledgeTamperAsync(Actor by, string reason, CancellationToken cancellationToken = default)
    {
        if (_tamper.Request(by, reason) is not { } recorded)
        {
            return null;
        }

        _queue.Wake();
        return await recorded.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        List<AuditPending> batch = new(_options.BatchSize);
        try
        {
            await StartChainAsync(stoppingToken);
            _chainStarted = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!await _queue.WaitForWorkAsync(SweepInterval, stoppingToken))
                {
                    _outbox.RequestSweep(); // a second without work: look for changes nobody told it about, try a failed store
                }

                await _tamper.RecordAsync();
                _queue.Drain(batch);
                if (_queue.MayWaitForMore(batch) && await _queue.WaitForWorkAsync(_options.GroupCommitWindow, stoppingToken))
                {
                    _queue.Drain(batch);
                }

                await CommitAsync(batch);
                _queue.Flushed(batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Whatever was handed over before the stop is still committed (or refused), never silently dropped.
            // A batch taken before the stop (waiting to share its commit) goes first. Stopped before the chain was
            // checked and started, nothing may be chained: what waits is refused.
            _queue.Complete();
            while (batch.Count > 0 || _queue.HasWork)
            {
                _queue.Drain(batch);
                if (_chainStarted)
                {
                    await CommitAsync(batch);
                }
                else
                {
                    Refuse(batch, "Shield stopped before the audit trail was ready.", null);
                }

                _queue.Flushed(batch);
            }

            await CheckpointOnStopAsync();
            _store.Forget();
            _running = false;
            _outbox.Stop(new AuditUnavailableException("Shield stopped before the change was recorded; it is recorded at the next start."));
            _tamper.Stop();
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
                var key = await _keyring.ChainKeyAsync(stoppingToken);
                var keys = await _keyring.KnownKeysAsync(stoppingToken);
                var state = await _tailCheck.CheckAsync(keys, stoppingToken);
                _store.Start(state, key, keys);
                if (state.Joined)
                {
                    LogJoined(_logger, _checkpointer.Anchors.Path, state.Sequence);
                    _checkpointer.Joined(state.Sequence, state.Hash, state.SealKey ?? key);
                }
                if (!_keyring.ChainKeyOutsideDatabase)
                {
                    LogKeyInDatabase(_logger, AuditOptions.SectionName);
                }

                _failure = null;
                if (state.Finding is { } finding)
                {
                    await _tamper.RaiseAsync(finding, (state.Sequence, state.Hash));
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

    private async Task CheckpointOnStopAsync()
    {
        if (_tamper.Unacknowledged)
        {
            return; // never signed over a tail found altered
        }

        try
        {
            await _store.CheckpointAsync();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCheckpointFailed(_logger, exception);
        }
    }
}
