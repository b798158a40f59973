using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// What the writer learns before it chains anything: the stored tail, the key it is sealed with, and whether the
/// records since the last anchor still verify. Shield never signs a checkpoint over a tail it has not checked: a tail
/// shorter than the anchor file says, one that differs from it, records after it that do not verify (a forged record
/// appended with a valid plain hash, say), or an anchor file gone missing under a trail that has records come back as
/// a finding. An instance of a cluster may join a trail that already holds records with an anchor file of its own that
/// exists and is empty, when allowed to (<paramref name="joinable"/>): it starts from the newest checkpoint in the
/// database signed with the chain key file, checks that every record after it is sealed with that key, and anchors from
/// then on (<see cref="AuditTailState.Joined"/>).
/// </summary>
internal sealed class AuditTailCheck(IDbContextFactory<ShieldDbContext> contexts, AuditAnchorFile anchors, bool joinable = false)
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
        var joined = false;
        AuditTailState State(AuditTamperFinding? finding) => new(sequence, hash, sealKey, sealing?.KeyId, finding) { Joined = joined };

        if (sealing is not null && sealKey is null)
        {
            return State(new AuditTamperFinding(
                $"The trail is sealed with a chain key this Shield does not hold ({sealing.KeyId}): {AuditOptions.SectionName}:KeyFile was changed or " +
                "removed without keeping the old key in PreviousKeyFiles, or the sealing record was forged.",
                null, null));
        }

        var anchor = LastReadable();
        joined = anchor is null && sequence > 0 && joinable && anchors.Exists && anchors.Length == 0;
        AuditChainKey? joinedWith = null;
        if (joined)
        {
            (anchor, joinedWith) = await NewestSignedCheckpointAsync(db, keys, sequence, cancellationToken);
            if (anchor is null)
            {
                joined = false;
                return State(new AuditTamperFinding(
                    $"The anchor file {anchors.Path} is new and empty, but no checkpoint in the trail is signed with a chain key file this instance holds: " +
                    "it cannot check the trail it would join. Start it with the cluster's key file, after another instance has signed a checkpoint.",
                    null, null));
            }
        }
        else if (anchor is null && sequence > 0)
        {
            return State(new AuditTamperFinding(
                $"The anchor file {anchors.Path} is missing or empty, but the trail holds {sequence} records: its volume is not mounted, " +
                $"{AuditOptions.SectionName}:AnchorFile changed, or the file was removed. Cut records cannot be found without it.",
                null, null));
        }

        if (anchor is not null && !joined && !await SignedInForceAsync(db, anchor, keys, cancellationToken))
        {
            return State(new AuditTamperFinding($"The last line of the anchor file {anchors.Path} is not signed with the key in force: the anchor file was altered.", null, null));
        }

        if (anchor is not null && anchor.Sequence > sequence)
        {
            return State(new AuditTamperFinding(
                $"The trail ends at record {sequence}, but the anchor file shows record {anchor.Sequence} was written: the tail was cut off.",
                null, null, sequence + 1, anchor.Sequence));
        }

        var trailEvents = await TrailEventsAsync(db, cancellationToken);
        if (anchor is not null)
        {
            var stored = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence == anchor.Sequence).Select(r => r.Hash).FirstOrDefaultAsync(cancellationToken);
            if (stored != anchor.Hash)
            {
                // Rewritten under the anchor: find where, with the whole chain.
                var from = await FirstBreakAsync(db, new AuditChainVerifier(keys, trailEvents), 0, cancellationToken) ?? anchor.Sequence;
                return State(new AuditTamperFinding(
                    $"Record {anchor.Sequence} differs from the anchor written when it was committed: the trail was rewritten from record {from}.",
                    from, sequence));
            }
        }

        var verifier = new AuditChainVerifier(keys, trailEvents);
        if (joinedWith is not null)
        {
            // From the checkpoint the key file vouches for, every record must be sealed: nothing in the database decides that.
            verifier.StartAfter(anchor!.Sequence, anchor.Hash, joinedWith);
        }
        else if (anchor is not null)
        {
            var keyAtAnchor = await SealingAsync(db, anchor.Sequence, cancellationToken);
            verifier.StartAfter(anchor.Sequence, anchor.Hash, keyAtAnchor is null ? null : keys.FirstOrDefault(k => k.Id == keyAtAnchor.KeyId));
        }

        var broken = await FirstBreakAsync(db, verifier, anchor?.Sequence ?? 0, cancellationToken);
        return State(broken is { } at
            ? new AuditTamperFinding($"Records written since the last anchor do not verify: {verifier.Finish().FirstBrokenLink?.Problem}", at, sequence)
            : null);
    }

    // Where a joining instance starts: the newest checkpoint at or before the tail it read that is signed with a chain key
    // from a key file (whoever can write the database can sign with the key kept there, and can rewrite the sealing
    // records that say which key was in force, so neither counts here), and that key.
    private static async Task<(AuditAnchor? Anchor, AuditChainKey? Key)> NewestSignedCheckpointAsync(ShieldDbContext db, IReadOnlyList<AuditChainKey> keys, long tail,
        CancellationToken cancellationToken)
    {
        var files = keys.Where(k => k.Source == AuditKeySource.File).ToList();
        if (files.Count == 0)
        {
            return (null, null);
        }

        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Sequence <= tail).OrderByDescending(c => c.Sequence).Take(PageSize).ToListAsync(cancellationToken);
        foreach (var checkpoint in checkpoints)
        {
            if (files.FirstOrDefault(k => AuditChain.HasValidSignature(k.Bytes, checkpoint)) is { } key)
            {
                return (new AuditAnchor(AuditAnchorKind.Checkpoint, checkpoint.Sequence, checkpoint.Hash, checkpoint.AtUtc, key.Id, checkpoint.Signature), key);
            }
        }

        return (null, null);
    }

    // The last line that can be read: one cut short by a crash is skipped (verification reports it as a warning).
    private AuditAnchor? LastReadable() => anchors.Last() switch
    {
        { Kind: AuditAnchorKind.Unreadable } => anchors.InForce().LastOrDefault(a => a.Kind != AuditAnchorKind.Unreadable),
        var last => last,
    };

    // An anchor counts when signed with the key in force at its record (after a sealing record there), or, before the
    // trail was sealed, with any key Shield holds.
    private static async Task<bool> SignedInForceAsync(ShieldDbContext db, AuditAnchor anchor, IReadOnlyList<AuditChainKey> keys, CancellationToken cancellationToken) =>
        await SealingAsync(db, anchor.Sequence, cancellationToken) is { } sealing
            ? keys.FirstOrDefault(k => k.Id == sealing.KeyId) is { } key && anchor.IsSignedBy(key)
            : keys.Any(anchor.IsSignedBy);

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

    private static Task<List<AuditRecord>> TrailEventsAsync(ShieldDbContext db, CancellationToken cancellationToken) =>
        db.AuditRecords.AsNoTracking().TrailEvents(AuditEventTypes.TamperDetected, AuditEventTypes.Pruned)
            .ToListAsync(cancellationToken);

    /// <summary>The sealing record in force at a sequence: the last one at or before it.</summary>
    public static async Task<AuditSealing?> SealingAsync(ShieldDbContext db, long sequence, CancellationToken cancellationToken)
    {
        var record = await db.AuditRecords.AsNoTracking().TrailEvents(AuditEventTypes.Sealing).Where(r => r.Sequence <= sequence)
            .OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(cancellationToken);
        if (record is not null)
        {
            return AuditSealing.Read(record);
        }

        // Pruned with the records before it: the newest pruning record says which key sealed the records it kept.
        var pruning = await db.AuditRecords.AsNoTracking().TrailEvents(AuditEventTypes.Pruned).Where(r => r.Sequence <= sequence)
            .OrderByDescending(r => r.Sequence).FirstOrDefaultAsync(cancellationToken);
        return pruning is not null && AuditPruning.Read(pruning) is { SealKeyId: { } keyId } ? new AuditSealing(keyId, "pruned", null) : null;
    }
}

/// <summary>The stored tail as the writer found it at start, the chain key in force there, and any tampering found.</summary>
internal sealed record AuditTailState(long Sequence, string Hash, AuditChainKey? SealKey, string? SealKeyId, AuditTamperFinding? Finding)
{
    /// <summary>Whether this instance joined the trail with an anchor file of its own that was still empty.</summary>
    public bool Joined { get; init; }
}
