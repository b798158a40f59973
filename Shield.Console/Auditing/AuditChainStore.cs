using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// The chain as stored: commits a batch in one transaction after the tail it reads (sealing it, opening with a sealing
/// record when the key changed and a gap record when fail-open left one, sweeping governance changes in), and signs
/// checkpoints. Each command waits at most the commit bound for a lock or an answer. It keeps one database context for
/// its lifetime (<see cref="AuditWriterContext"/>, made again after any failure), so a batch costs what its rows cost.
/// Whenever it reads the stored head again (a failed commit, another instance's records), it checks every record since
/// the last head it knew good before chaining after it, so nothing is ever signed over records it has not checked. Shared by the instances of a cluster
/// (<paramref name="shared"/>), it looks at the stored head under the chain lock before each batch, rather than learn
/// from a failed insert that another instance chained first. Alone, it tells <paramref name="committed"/> what each commit
/// chained. Only the writer's loop uses it.
/// </summary>
internal sealed class AuditChainStore(
    IDbContextFactory<ShieldDbContext> contexts,
    AuditOptions options,
    GovernanceOutbox outbox,
    AuditCheckpointer checkpointer,
    AuditGaps gaps,
    TimeProvider time,
    bool shared = false,
    IAuditCommitted? committed = null)
{
    /// <summary>The transaction lock a commit holds (<see cref="TransactionLocks"/>).</summary>
    public const string ChainLock = "shield-audit-chain";

    private (long Sequence, string Hash)? _tail;
    private (long Sequence, string Hash) _trusted; // the newest record known good: checked at start, or committed here
    private IReadOnlyList<AuditChainKey> _keys = [];
    private AuditChainKey? _key;
    private AuditChainKey? _sealKey; // the key the stored tail is sealed with; null before the trail is sealed
    private AuditWriterContext? _writer;

    /// <summary>Starts after the tail the start-up check found, sealing with <paramref name="key"/> from now on.</summary>
    public void Start(AuditTailState state, AuditChainKey key, IReadOnlyList<AuditChainKey> keys)
    {
        _tail = (state.Sequence, state.Hash);
        _trusted = _tail.Value;
        _sealKey = state.SealKey;
        _key = key;
        _keys = keys;
    }

    /// <summary>
    /// After a clash of sequence numbers: whether this batch is already in the store (a commit whose answer was lost,
    /// retried by the provider), so it is not chained a second time.
    /// </summary>
    public async Task<bool> AlreadyCommittedAsync(List<AuditPending> batch)
    {
        if (batch.FirstOrDefault()?.Record is not { Sequence: > 0, Hash.Length: > 0 } first)
        {
            return false;
        }

        await using var db = await OpenAsync(CancellationToken.None);
        return await db.AuditRecords.AnyAsync(r => r.Sequence == first.Sequence && r.Hash == first.Hash);
    }

    /// <summary>
    /// The stored tail is to be read again (another instance may have extended it, or a commit failed), on a fresh
    /// context: nothing a failed attempt left behind is used again.
    /// </summary>
    public void Forget()
    {
        _tail = null;
        _writer?.Dispose();
        _writer = null;
    }

    // SQL Server retries transient failures only around a whole transaction: each attempt starts afresh.
    public async Task<GovernanceOutbox.Sweep?> CommitAsync(List<AuditPending> batch, bool sweep, CancellationToken cancellationToken)
    {
        _writer ??= await AuditWriterContext.OpenAsync(await OpenAsync(cancellationToken), cancellationToken);
        var writer = _writer;
        writer.EnsureInPlace();
        return await writer.Db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            writer.Db.ChangeTracker.Clear(); // a batch, or a retry, starts from nothing an earlier one left behind
            return await CommitCoreAsync(writer, batch, sweep, cancellationToken);
        });
    }

    /// <summary>
    /// Chains an acknowledgement of tampering after the stored tail as it is, with a checkpoint. A tail cut short also
    /// voids the checkpoints and anchors of the records that are gone, since new records now take their numbers.
    /// </summary>
    /// <exception cref="AuditTrailChangedException">The stored tail is no longer the one the finding was made on.</exception>
    public async Task AcknowledgeAsync(AuditRecord acknowledgement, AuditTamperFinding finding, (long Sequence, string Hash) foundAt)
    {
        await using var db = await OpenAsync(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync();
        var tail = await HeadAsync(db, CancellationToken.None);
        if (tail != foundAt)
        {
            // Records were cut or added while the finding waited: it no longer describes the trail.
            throw new AuditTrailChangedException();
        }

        if (finding.MissingFrom is not null)
        {
            await db.AuditCheckpoints.Where(c => c.Sequence > tail.Sequence).ExecuteDeleteAsync();
            // SIEM sinks sent records that are gone go on from the cut, so the acknowledgement and the new records that
            // take those numbers are sent too (receivers keep the latest copy of a sequence).
            await Siem.SiemSinkCursor.MoveBackAsync(db, tail.Sequence, time.GetUtcNow().UtcDateTime);
        }

        var now = time.GetUtcNow().UtcDateTime;
        List<AuditRecord> records = _sealKey?.Id != _key!.Id ? [AuditTrailRecords.Sealing(_key, _sealKey, now), acknowledgement] : [acknowledgement];
        var (sequence, hash) = Chain(records, tail);
        await AuditRecordInserter.InsertAsync(db, records, CancellationToken.None);
        var checkpoint = AuditCheckpointer.Sign(_key, sequence, hash, now);
        db.AuditCheckpoints.Add(checkpoint);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        _tail = (sequence, hash);
        _trusted = _tail.Value;
        _sealKey = _key;
        if (finding.MissingFrom is not null)
        {
            checkpointer.Reset(tail.Sequence, tail.Hash, _key);
        }

        checkpointer.Committed(checkpoint, _key);
    }

    /// <summary>Signs the head once more when records were added since the last checkpoint, as Shield stops.</summary>
    public async Task CheckpointAsync()
    {
        if (!checkpointer.Behind || _tail is not { Sequence: > 0 } tail || _key is null)
        {
            return;
        }

        await using var db = await OpenAsync(CancellationToken.None);
        var checkpoint = AuditCheckpointer.Sign(_key, tail.Sequence, tail.Hash, time.GetUtcNow().UtcDateTime);
        db.AuditCheckpoints.Add(checkpoint);
        await db.SaveChangesAsync();
        checkpointer.Committed(checkpoint, _key);
    }

    private async Task<ShieldDbContext> OpenAsync(CancellationToken cancellationToken)
    {
        var db = await contexts.CreateDbContextAsync(cancellationToken);
        DatabaseErrors.Bound(db, options.CommitTimeout);
        return db;
    }

    private async Task<GovernanceOutbox.Sweep?> CommitCoreAsync(AuditWriterContext writer, List<AuditPending> batch, bool sweep, CancellationToken cancellationToken)
    {
        var db = writer.Db;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Instances on one server database take turns, so that two never chain after the same head (which only the
        // unique key would catch, at the cost of a retry each time, and of a refusal after three in a row).
        await TransactionLocks.TakeAsync(db.Database, ChainLock, cancellationToken);
        if (shared && _tail is { } known && await HeadAsync(db, cancellationToken) != known)
        {
            _tail = null; // another instance chained since: read and check what it added
        }

        _tail ??= await TailAsync(db, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        List<AuditRecord> records = [];
        if (_sealKey?.Id != _key!.Id)
        {
            records.Add(AuditTrailRecords.Sealing(_key, _sealKey, now));
        }

        var gap = gaps.Record(now);
        if (gap is not null)
        {
            records.Add(gap);
        }

        var governance = sweep ? await outbox.CollectAsync(db, options.BatchSize, cancellationToken) : null;
        records.AddRange(governance?.Records ?? []);
        records.AddRange(batch.Select(p => p.Record!));

        var (sequence, hash) = Chain(records, _tail.Value);
        await writer.InsertAsync(records, cancellationToken);
        var checkpoint = checkpointer.Due(records.Count > 0, batch.Any(p => p.Checkpoint), sequence, hash, now, _key);
        if (checkpoint is not null)
        {
            db.AuditCheckpoints.Add(checkpoint);
            await db.SaveChangesAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        writer.EnsureInPlace(); // moved during the commit: its callers are refused
        _tail = (sequence, hash);
        _trusted = _tail.Value;
        _sealKey = _key;
        if (gap is not null)
        {
            gaps.Recorded(gap);
        }

        checkpointer.Committed(checkpoint, _key);
        if (!shared)
        {
            committed?.Committed(records);
        }

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

    private static async Task<(long Sequence, string Hash)> HeadAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        var head = await db.AuditRecords.AsNoTracking().OrderByDescending(r => r.Sequence)
            .Select(r => new { r.Sequence, r.Hash }).FirstOrDefaultAsync(cancellationToken);
        return head is null ? (0L, AuditChain.Genesis) : (head.Sequence, head.Hash);
    }

    // The head read again: it must be the newest record known good, or follow it through records that verify.
    /// <exception cref="AuditTamperException">The records since the last head known good do not verify.</exception>
    private async Task<(long Sequence, string Hash)> TailAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        var head = await HeadAsync(db, cancellationToken);
        if (head == _trusted)
        {
            return head;
        }

        if (head.Sequence <= _trusted.Sequence)
        {
            throw new AuditTamperException(new AuditTamperFinding(
                $"The trail now ends at record {head.Sequence}, but record {_trusted.Sequence} was committed while Shield ran: records were deleted or rewritten.",
                null, null, head.Sequence + 1, _trusted.Sequence), head);
        }

        var verifier = new AuditChainVerifier(_keys);
        verifier.StartAfter(_trusted.Sequence, _trusted.Hash, _sealKey);
        var after = _trusted.Sequence;
        while (!verifier.IsBroken && after < head.Sequence)
        {
            var page = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence > after && r.Sequence <= head.Sequence)
                .OrderBy(r => r.Sequence).Take(1_000).ToListAsync(cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var record in page)
            {
                if (!verifier.Add(record))
                {
                    break;
                }
            }

            after = page[^1].Sequence;
        }

        if (verifier.Finish() is { FirstBrokenLink: { } broken })
        {
            throw new AuditTamperException(new AuditTamperFinding($"Records written since Shield last checked do not verify: {broken.Problem}", broken.Sequence, head.Sequence), head);
        }

        _trusted = head;
        return head;
    }
}
