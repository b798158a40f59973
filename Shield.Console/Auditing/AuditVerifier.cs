using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>A verification of the whole trail, as the console and <c>GET /api/audit/verify</c> report it.</summary>
public sealed record AuditVerificationReport(
    bool Intact,
    long RecordsChecked,
    long? FirstSequence,
    long? LastSequence,
    string? LastHash,
    int CheckpointsChecked,
    AuditBreak? FirstBrokenLink,
    DateTime VerifiedAtUtc,
    double ElapsedMilliseconds);

/// <summary>Reads the trail in sequence order, a page at a time, recomputes its chain, and keeps the outcome.</summary>
public sealed class AuditVerifier(IDbContextFactory<ShieldDbContext> contexts, AuditKeyring keyring, TimeProvider time)
{
    private const int PageSize = 5_000;

    /// <param name="by">Who asked, for the record of verifications the posture report shows.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public async Task<AuditVerificationReport> VerifyAsync(string by, CancellationToken cancellationToken = default)
    {
        var started = time.GetTimestamp();
        var key = await keyring.GetAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Checkpoints first: every one of them signs records committed before it, so all are already readable.
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().ToListAsync(cancellationToken);
        var verifier = new AuditChainVerifier(key, checkpoints);
        var after = 0L;
        while (!verifier.IsBroken)
        {
            var page = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence > after).OrderBy(r => r.Sequence)
                .Take(PageSize).ToListAsync(cancellationToken);
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

        var result = verifier.Finish();
        var now = time.GetUtcNow().UtcDateTime;
        db.AuditVerifications.Add(new AuditVerificationResult
        {
            AtUtc = now, Intact = result.Intact, RecordsChecked = result.RecordsChecked, LastSequence = result.LastSequence,
            BrokenAt = result.Break?.Sequence, Problem = result.Break?.Problem, By = by,
        });
        await db.SaveChangesAsync(cancellationToken);
        return new AuditVerificationReport(result.Intact, result.RecordsChecked, result.FirstSequence, result.LastSequence, result.LastHash,
            result.CheckpointsChecked, result.Break, now, time.GetElapsedTime(started).TotalMilliseconds);
    }
}
