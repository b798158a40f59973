using Microsoft.EntityFrameworkCore;
using Shield.Console.Auditing;
using Shield.Console.Cluster;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>
/// Streams the trail to one receiver (syslog, or an OTLP collector): committed records in chain order, each signed
/// checkpoint after the record it names, from the sink's cursor in the database. The cursor moves once a batch is sent;
/// a receiver that fails is tried again after a bounded, jittered back-off. Over syslog, which acknowledges nothing, a
/// new connection first sends the last <see cref="SiemSinkOptions.ResendOnReconnect"/> records again (at least once:
/// receivers drop duplicates by sequence). Runs on the instance holding the sink's lease. Nothing here is on the path
/// of a call: a slow or absent receiver only makes the sink fall behind.
/// </summary>
internal sealed partial class SiemSink(
    SiemSinkState state,
    SiemFeed feed,
    SiemOptions options,
    ClusterJob job,
    IDbContextFactory<ShieldDbContext> contexts,
    AuditKeyring keys,
    Func<CancellationToken, Task<ISiemTransport>> open,
    string productVersion,
    TimeProvider time,
    ILogger logger)
{
    public const int BatchSize = 500;
    public static readonly TimeSpan LeaseInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopSaveTimeout = TimeSpan.FromSeconds(5);

    private readonly SiemSinkOptions _sink = state.Sink;
    private readonly SiemFormat _anchors = SiemFormat.Create(state.Sink.Format, productVersion);
    private readonly List<SiemMessage> _messages = new(BatchSize * 2);
    private readonly SiemSinkCursor _cursor = new(state.Sink.Name, time);
    private ISiemTransport? _transport;
    private long? _sentThrough; // on this connection; null: none yet
    private long? _heldAt;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan wait;
                try
                {
                    if (!await HoldAsync(stoppingToken))
                    {
                        await CloseAsync();
                        wait = LeaseInterval;
                    }
                    else
                    {
                        var more = await RoundAsync(stoppingToken);
                        if (failures > 0)
                        {
                            LogResumed(logger, _sink.Name, state.Sequence);
                        }

                        failures = 0;
                        state.Error = null;
                        if (!more)
                        {
                            await feed.WaitAsync(options.PollInterval, time, stoppingToken);
                        }

                        wait = TimeSpan.Zero;
                    }
                }
                catch (Exception error) when (error is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    await CloseAsync();
                    failures++;
                    wait = Backoff(failures, options.MaxBackoff);
                    state.Error = $"Sending to {SiemStatus.Destination(_sink)} failed ({error.GetType().Name}: {error.Message}); tried again in {wait.TotalSeconds:0.#} s, from the sink's cursor.";
                    if (failures == 1)
                    {
                        LogFailed(logger, error, _sink.Name, SiemStatus.Destination(_sink));
                    }
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await CloseAsync();
            await SaveOnStopAsync();
            state.Streaming = false;
            await job.ReleaseAsync();
        }
    }

    /// <summary>Doubles from a second up to <paramref name="max"/>, then takes a random half to all of it, so that sinks and instances do not retry in step.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan max)
    {
        var ceiling = Math.Min(max.TotalMilliseconds, 1000 * Math.Pow(2, Math.Min(failures - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2));
    }

    private async Task<bool> HoldAsync(CancellationToken cancellationToken)
    {
        if (_heldAt is { } at && time.GetElapsedTime(at) < LeaseInterval)
        {
            return true;
        }

        var held = await job.HoldAsync(cancellationToken);
        _heldAt = held ? time.GetTimestamp() : null;
        if (!held)
        {
            _cursor.Forget(); // another instance streams the sink from the cursor it reads
        }

        state.Streaming = held;
        return held;
    }

    /// <summary>Sends what is waiting, one batch; true when more is waiting.</summary>
    private async Task<bool> RoundAsync(CancellationToken cancellationToken)
    {
        if (_transport is { Broken: true })
        {
            LogClosedByReceiver(logger, _sink.Name);
            await CloseAsync();
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var head = await db.AuditRecords.MaxAsync(r => (long?)r.Sequence, cancellationToken) ?? 0;
        var read = await _cursor.ReadAsync(db, head, cancellationToken);
        if (read.Moved)
        {
            _sentThrough = null; // written elsewhere (a cut tail acknowledged, another instance): go on from the cursor
        }

        if (read.CutFrom is { } cutFrom)
        {
            LogTrailCut(logger, _sink.Name, cutFrom, head);
        }

        state.Sequence = _cursor.Sequence;
        state.Head = Math.Max(head, _cursor.Sequence);
        if (_transport is null)
        {
            _transport = await open(cancellationToken);
            _sentThrough = null;
        }

        // A new syslog connection starts with the last records sent again: TCP delivered nothing it can vouch for.
        var from = _sentThrough ??= _transport.Acknowledges ? _cursor.Sequence : Math.Max(0, _cursor.Sequence - _sink.ResendOnReconnect);
        var records = await feed.ReadAsync(db, from, BatchSize, _sink.Format, cancellationToken);
        var through = records.Count > 0 ? records[^1].Record.Sequence : from;
        var lastCheckpoint = _cursor.CheckpointId;
        var checkpoints = await db.AuditCheckpoints.AsNoTracking()
            .Where(c => c.Sequence <= through && (c.Id > lastCheckpoint || c.Sequence > from))
            .OrderBy(c => c.Sequence).ThenBy(c => c.Id).ToListAsync(cancellationToken);

        _messages.Clear();
        var anchors = await AnchorsAsync(checkpoints, cancellationToken);
        var next = 0;
        foreach (var (record, body) in records)
        {
            for (; next < anchors.Count && anchors[next].Sequence < record.Sequence; next++)
            {
                Add(anchors[next]);
            }

            _messages.Add(new SiemMessage(record.Sequence, record.AtUtc, SiemSeverities.Of(record), record.EventType, body, record.TraceId, record.SpanId));
        }

        for (; next < anchors.Count; next++)
        {
            Add(anchors[next]);
        }

        if (_messages.Count > 0)
        {
            await _transport.SendAsync(_messages, cancellationToken);
            state.LastSentAtUtc = time.GetUtcNow().UtcDateTime;
        }

        _sentThrough = through;
        _cursor.Advance(through, checkpoints.Count > 0 ? checkpoints.Max(c => c.Id) : 0);
        await _cursor.SaveAsync(db, now: false, cancellationToken);
        state.Sequence = _cursor.Sequence;
        state.Head = Math.Max(state.Head, _cursor.Sequence); // records from the feed can be newer than the head read at the start
        return records.Count == BatchSize;
    }

    private void Add(AuditAnchor anchor) =>
        _messages.Add(new SiemMessage(anchor.Sequence, anchor.AtUtc, SiemSeverity.Informational, "audit.checkpoint", _anchors.Anchor(anchor), null, null));

    /// <summary>
    /// The checkpoints as anchors, signed as the anchor file's lines are by the key that signed the checkpoint. A
    /// checkpoint no key of this Shield signed is not passed on: signing it now would vouch for what someone with the
    /// database wrote (verification reports it).
    /// </summary>
    private async Task<List<AuditAnchor>> AnchorsAsync(List<AuditCheckpoint> checkpoints, CancellationToken cancellationToken)
    {
        List<AuditAnchor> anchors = [];
        if (checkpoints.Count == 0)
        {
            return anchors;
        }

        var known = await keys.KnownKeysAsync(cancellationToken);
        foreach (var checkpoint in checkpoints)
        {
            if (known.FirstOrDefault(k => AuditChain.HasValidSignature(k.Bytes, checkpoint)) is { } key)
            {
                anchors.Add(AuditAnchor.Signed(AuditAnchorKind.Checkpoint, checkpoint.Sequence, checkpoint.Hash, checkpoint.AtUtc, key));
            }
            else
            {
                LogUnsignedCheckpoint(logger, _sink.Name, checkpoint.Sequence);
            }
        }

        return anchors;
    }

    /// <summary>Writes what was sent since the cursor's last write, while this instance still holds the sink's lease.</summary>
    private async Task SaveOnStopAsync()
    {
        if (!_cursor.Unsaved || _heldAt is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(StopSaveTimeout);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(timeout.Token);
            DatabaseErrors.Bound(db, StopSaveTimeout); // SQLite's wait for a lock does not hear the token
            await _cursor.SaveAsync(db, now: true, timeout.Token);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogCursorNotSaved(logger, error, _sink.Name, _cursor.Sequence);
        }
    }

    private async Task CloseAsync()
    {
        if (_transport is { } transport)
        {
            _transport = null;
            try
            {
                await transport.DisposeAsync();
            }
            catch (Exception error) when (error is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // closing a broken connection
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending the audit trail to SIEM sink {Sink} ({Destination}) failed; Shield retries with back-off and resumes from the sink's cursor.")]
    private static partial void LogFailed(ILogger logger, Exception error, string sink, string destination);

    [LoggerMessage(Level = LogLevel.Information, Message = "SIEM sink {Sink} is reachable again; it has been sent the trail through record {Sequence}.")]
    private static partial void LogResumed(ILogger logger, string sink, long sequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "The receiver of SIEM sink {Sink} closed the connection; Shield reconnects and sends the latest records again.")]
    private static partial void LogClosedByReceiver(ILogger logger, string sink);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIEM sink {Sink} had been sent the trail through record {Cursor}, but the trail now ends at record {Head} (acknowledged tampering cut its tail): the sink goes on from there, and the records that take those numbers are sent.")]
    private static partial void LogTrailCut(ILogger logger, string sink, long cursor, long head);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIEM sink {Sink} stopped without recording that it had been sent the trail through record {Sequence}; when it starts again it resends from its last recorded position.")]
    private static partial void LogCursorNotSaved(ILogger logger, Exception error, string sink, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SIEM sink {Sink}: the checkpoint at record {Sequence} is signed by no key this Shield holds; it is not sent as an anchor.")]
    private static partial void LogUnsignedCheckpoint(ILogger logger, string sink, long sequence);
}
