using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// What the writer learns before it chains anything: the stored tail, the key it is sealed with, and whether the
/// records since the last anchor still verify. Shield never signs a checkpoint over a tail it has not checked: a tail
/// shorter than the anchor file says, one that differs from it, or records after it that do not verify (a forged
/// record appended with a valid plain hash, say) come back as a finding.
/// </summary>
internal sealed class AuditTailCheck(IDbContextFactory<ShieldDbContext> contexts, AuditAnchorFile anchors)
{
    private const int PageSize = 5_000;

    public async Task<AuditTailState> CheckAsync(IReadOnlyList<AuditChainKey> keys, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tail = await db.AuditRecords.AsNoTracking().OrderByDescending(r => r.Sequence)
            .Select(r => new { r.Sequence, r.Hash }).FirstOrDefaultAsync(cancellationToken);
        var (sequence, hash) = tail is null ? (0L, AuditChain.Genesis) : (tail.Sequence, tail.Hash);
        var sealing = await SealingAsync(db, sequence, cancellationToken);
        var sealKey = sealing is null ? null : keys.FirstOrDefault(k => k.Id == sealing.KeyId);
        AuditTailState State(AuditTamperFinding? finding) => new(sequence, hash, sealKey, sealing?.KeyId, finding);

        if (sealing is not null && sealKey is null)
        {
            return State(new AuditTamperFinding(
                $"The trail is sealed with a chain key this Shield does not hold ({sealing.KeyId}): {AuditOptions.SectionName}:KeyFile was changed or removed.",
                null, null));
        }

        var anchor = anchors.Last();
        if (anchor is { Kind: AuditAnchorKind.Unreadable })
        {
            return State(new AuditTamperFinding($"The last line of the anchor file {anchors.Path} cannot be read: it was altered or damaged.", null, null));
        }

        if (anchor is not null && !keys.Any(anchor.IsSignedBy))
        {
            return State(new AuditTamperFinding($"The last line of the anchor file {anchors.Path} is not signed with a key this Shield holds: the anchor file was altered.", null, null));
        }

        if (anchor is not null && anchor.Sequence > sequence)
        {
            return State(new AuditTamperFinding(
                $"The trail ends at record {sequence}, but the anchor file shows record {anchor.Sequence} was written: the tail was cut off.",
                null, null, sequence + 1, anchor.Sequence));
        }

        // Check from the last anchor on; without one (a new anchor file), from the last signed checkpoint.
        var start = anchor is not null ? (anchor.Sequence, anchor.Hash) : await LastCheckpointAsync(db, keys, cancellationToken);
        var verifier = new AuditChainVerifier(keys);
        if (start is { } known)
        {
            var stored = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence == known.Sequence).Select(r => r.Hash).FirstOrDefaultAsync(cancellationToken);
            if (stored != known.Hash)
            {
                // Rewritten under the anchor: find where, with the whole chain.
                var whole = new AuditChainVerifier(keys);
                var from = await FirstBreakAsync(db, whole, 0, cancellationToken) ?? known.Sequence;
                return State(new AuditTamperFinding(
                    $"Record {known.Sequence} differs from the anchor written when it was committed: the trail was rewritten from record {from}.",
                    from, sequence));
            }

            var keyAtStart = await SealingAsync(db, known.Sequence, cancellationToken);
            verifier.StartAfter(known.Sequence, known.Hash, keyAtStart is null ? null : keys.FirstOrDefault(k => k.Id == keyAtStart.KeyId));
        }

        var broken = await FirstBreakAsync(db, verifier, start?.Sequence ?? 0, cancellationToken);
        return State(broken is { } at
            ? new AuditTamperFinding($"Records written since the last anchor do not verify: {verifier.Finish().FirstBrokenLink?.Problem}", at, sequence)
            : null);
    }

    private static async Task<long?> FirstBreakAsync(ShieldDbContext db, AuditChainVerifier verifier, long after, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence > after).OrderBy(r => r.Sequence).Take(PageSize).ToListAsync(cancellationToken);
            foreach (var record in page)
            {
                if (!verifier.Add(record))
                {
                    return verifier.Finish().FirstBrokenLink?.Sequence;
                }
            }

            if (page.Count < PageSize)
            {
                return null;
            }

            after = page[^1].Sequence;
        }
    }

    private static async Task<(long Sequence, string Hash)?> LastCheckpointAsync(ShieldDbContext db, IReadOnlyList<AuditChainKey> keys, CancellationToken cancellationToken)
    {
        var recent = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Sequence).Take(20).ToListAsync(cancellationToken);
        return recent.FirstOrDefault(c => keys.Any(k => AuditChain.HasValidSignature(k.Bytes, c))) is { } checkpoint ? (checkpoint.Sequence, checkpoint.Hash) : null;
    }

    /// <summary>The sealing record in force at a sequence: the last one at or before it.</summary>
    public static async Task<AuditSealing?> SealingAsync(ShieldDbContext db, long sequence, CancellationToken cancellationToken)
    {
        var record = await db.AuditRecords.AsNoTracking().Where(r => r.EventType == AuditEventTypes.Sealing && r.Sequence <= sequence)
            .OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(cancellationToken);
        return record is null ? null : AuditSealing.Read(record);
    }
}

/// <summary>The stored tail as the writer found it at start, the chain key in force there, and any tampering found.</summary>
internal sealed record AuditTailState(long Sequence, string Hash, AuditChainKey? SealKey, string? SealKeyId, AuditTamperFinding? Finding);
