using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// Reads the trail in sequence order, a page at a time, recomputes its chain and seals, compares it with the signed
/// checkpoints in the database and with the anchor file outside it, and keeps the outcome.
/// </summary>
public sealed class AuditVerifier(IDbContextFactory<ShieldDbContext> contexts, AuditKeyring keyring, AuditWriter writer, TimeProvider time)
{
    private const int PageSize = 5_000;

    // Reads checkpoints in sequence order, only as far as the records read so far need them: constant memory.
    private sealed class CheckpointFeed(ShieldDbContext db, AuditChainVerifier verifier, long newestId)
    {
        private long _sequence = -1;
        private long _id;

        public async Task FeedThroughAsync(long through, CancellationToken cancellationToken)
        {
            while (true)
            {
                var (sequence, id) = (_sequence, _id);
                var page = await db.AuditCheckpoints.AsNoTracking()
                    .Where(c => c.Id <= newestId && c.Sequence <= through && (c.Sequence > sequence || (c.Sequence == sequence && c.Id > id)))
                    .OrderBy(c => c.Sequence).ThenBy(c => c.Id).Take(PageSize).ToListAsync(cancellationToken);
                foreach (var checkpoint in page)
                {
                    verifier.AddCheckpoint(checkpoint);
                }

                if (page.Count > 0)
                {
                    (_sequence, _id) = (page[^1].Sequence, page[^1].Id);
                }

                if (page.Count < PageSize)
                {
                    return;
                }
            }
        }
    }

    // Reads the anchor file alongside the records, a line ahead at most: constant memory however long it grows.
    private sealed class AnchorFeed(IEnumerator<AuditAnchor> anchors, AuditChainVerifier verifier)
    {
        private AuditAnchor? _next;
        private bool _done;

        public void FeedThrough(long through)
        {
            while (!_done)
            {
                if (_next is null)
                {
                    if (!anchors.MoveNext())
                    {
                        _done = true;
                        return;
                    }

                    _next = anchors.Current;
                }

                if (_next.Sequence > through && _next.Kind != AuditAnchorKind.Unreadable)
                {
                    return;
                }

                verifier.AddAnchor(_next);
                _next = null;
            }
        }
    }

    /// <param name="by">Who asked, for the record of verifications the posture report shows.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public async Task<AuditVerification> VerifyAsync(string by, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var keys = await keyring.KnownKeysAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Only anchors and checkpoints that existed before the first record was read: each of them signs records
        // already committed, so one the writer adds meanwhile cannot make the tail read look truncated.
        var anchorsNow = writer.Anchors.InForce(writer.Anchors.Length).GetEnumerator();
        var newest = await db.AuditCheckpoints.MaxAsync(c => (long?)c.Id, cancellationToken) ?? 0;
        var trailEvents = await db.AuditRecords.AsNoTracking()
            .TrailEvents(AuditEventTypes.TamperDetected, AuditEventTypes.Pruned).ToListAsync(cancellationToken);
        var verifier = new AuditChainVerifier(keys, trailEvents);
        var checkpoints = new CheckpointFeed(db, verifier, newest);
        var anchors = new AnchorFeed(anchorsNow, verifier);
        var after = 0L;
        while (!verifier.IsBroken)
        {
            var page = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence > after).OrderBy(r => r.Sequence)
                .Take(PageSize).ToListAsync(cancellationToken);
            // The checkpoints of this page's records go in first; after the last page, all the rest (a truncated tail).
            var through = page.Count == PageSize ? page[^1].Sequence : long.MaxValue;
            await checkpoints.FeedThroughAsync(through, cancellationToken);
            anchors.FeedThrough(through);
            foreach (var record in page)
            {
                if (!verifier.Add(record))
                {
                    break;
                }
            }

            if (page.Count < PageSize)
            {
                break;
            }

            after = page[^1].Sequence;
        }

        anchorsNow.Dispose();
        var result = verifier.Finish();
        var now = time.GetUtcNow().UtcDateTime;
        db.AuditVerifications.Add(new AuditVerificationResult
        {
            AtUtc = now, Intact = result.Intact, RecordsChecked = result.RecordsChecked, LastSequence = result.LastSequence,
            BrokenAt = result.FirstBrokenLink?.Sequence, Problem = result.FirstBrokenLink?.Problem, By = by,
        });
        await db.SaveChangesAsync(cancellationToken);
        return result with { VerifiedAtUtc = now, ElapsedMilliseconds = time.GetElapsedTime(started).TotalMilliseconds };
    }
}
