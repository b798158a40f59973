using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// Governance changes reach the trail through an outbox: the services that make them write them to
/// <c>GovernanceChanges</c> in the change's own transaction, and the writer chains them from there in its next sweep
/// (decision 6). This holds the sweep's cursor and the saves waiting for their change to be chained.
/// </summary>
internal sealed class GovernanceOutbox(TimeProvider time)
{
    // A change can commit after one with a higher id was already chained (SQL Server): look back this far for it.
    private const long LookBack = 1_000;

    private readonly Lock _lock = new();
    private readonly List<(long ChangeId, TaskCompletionSource Done)> _waiters = [];

    // Change ids chained within the look-back window: a late change is waited for by its own id.
    private readonly HashSet<long> _recentlyChained = [];
    private long? _through;
    private bool _stopped;
    private volatile bool _sweepRequested = true;

    /// <summary>Takes the request for a sweep (other instances, restarts, a waiting save, a failed commit).</summary>
    public bool TakeSweepRequest()
    {
        var requested = _sweepRequested;
        _sweepRequested = false;
        return requested;
    }

    public void RequestSweep() => _sweepRequested = true;

    /// <summary>Waits until the change with this id (already committed) is chained.</summary>
    public async Task RecordedAsync(long changeId, Action wake, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (IsChained(changeId))
            {
                return;
            }

            if (_stopped)
            {
                throw new AuditUnavailableException("Shield is stopping; the change is recorded at the next start.");
            }

            _waiters.Add((changeId, done));
        }

        _sweepRequested = true;
        wake();
        await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>The changes to chain now, oldest first, and what chaining them settles.</summary>
    public async Task<Sweep> CollectAsync(ShieldDbContext db, int batchSize, CancellationToken cancellationToken)
    {
        // Another Shield instance on the same database may have chained changes since: start after those too. Never past
        // the newest change there is: a record claiming a higher one (planted by whoever can write the database) must
        // not make real changes look chained.
        var newest = await db.GovernanceChanges.MaxAsync(c => (long?)c.Id, cancellationToken) ?? 0;
        var cursor = Math.Min(newest, Math.Max(_through ?? await CursorAsync(db, cancellationToken),
            await db.AuditRecords.LastGovernanceChangeAsync(cancellationToken) ?? 0));
        // Only recent ones: records of old changes may have been pruned by retention, and must not be chained again.
        // Never one that is already chained, here or by another instance.
        var lookBack = cursor - LookBack;
        var recent = time.GetUtcNow().UtcDateTime - TimeSpan.FromHours(1);
        var changes = await db.GovernanceChanges.AsNoTracking()
            .Where(c => c.Id > lookBack && (c.Id > cursor || c.AtUtc > recent) && !db.AuditRecords.Any(r => r.GovernanceChangeId == c.Id))
            .OrderBy(c => c.Id).Take(batchSize).ToListAsync(cancellationToken);
        var waiting = Waiting();
        var chainedElsewhere = waiting.Count == 0 ? [] : await db.AuditRecords
            .Where(r => r.GovernanceChangeId != null && waiting.Contains(r.GovernanceChangeId.Value))
            .Select(r => r.GovernanceChangeId!.Value).ToListAsync(cancellationToken);
        if (changes.Count == batchSize)
        {
            _sweepRequested = true; // more to come
        }

        return new Sweep([.. changes.Select(FromChange)], changes.Count > 0 ? Math.Max(cursor, changes[^1].Id) : cursor,
            [.. changes.Select(c => c.Id), .. chainedElsewhere]);
    }

    /// <summary>The sweep's records are committed: release the saves waiting for them.</summary>
    public void Chained(Sweep sweep)
    {
        lock (_lock)
        {
            _through = sweep.Through;
            _recentlyChained.UnionWith(sweep.Ids);
            _recentlyChained.RemoveWhere(id => id <= sweep.Through - LookBack);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (IsChained(_waiters[i].ChangeId))
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }

            if (_waiters.Count > 0)
            {
                _sweepRequested = true;
            }
        }
    }

    /// <summary>Failing open: the waiting saves go on, their changes are chained once the trail can be written.</summary>
    public void ReleaseAll() => Settle(done => done.TrySetResult());

    public void FailAll(Exception refusal) => Settle(done => done.TrySetException(refusal));

    /// <summary>No more waiting: the changes not yet chained are chained at the next start.</summary>
    public void Stop(Exception refusal)
    {
        lock (_lock)
        {
            _stopped = true;
        }

        FailAll(refusal);
    }

    private void Settle(Action<TaskCompletionSource> settle)
    {
        lock (_lock)
        {
            foreach (var (_, done) in _waiters)
            {
                settle(done);
            }

            _waiters.Clear();
        }
    }

    private List<long> Waiting()
    {
        lock (_lock)
        {
            return [.. _waiters.Select(w => w.ChangeId)];
        }
    }

    private bool IsChained(long changeId) => changeId <= _through - LookBack || _recentlyChained.Contains(changeId);

    // The last governance change chained: from the records, or, when retention pruned them, from the pruning record.
    private static async Task<long> CursorAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        var chained = await db.AuditRecords.LastGovernanceChangeAsync(cancellationToken) ?? 0;
        var pruning = await db.AuditRecords.AsNoTracking().TrailEvents(AuditEventTypes.Pruned).OrderByDescending(r => r.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
        return Math.Max(chained, pruning is null ? 0 : AuditPruning.Read(pruning)?.GovernanceThrough ?? 0);
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

    /// <summary>What one sweep found: the records to chain, the new cursor, and the change ids chaining them settles.</summary>
    public sealed record Sweep(List<AuditRecord> Records, long Through, List<long> Ids);
}
