using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>One page of the trail, newest first; <see cref="NextBefore"/> asks for the page after it.</summary>
public sealed record AuditRecordsPage(IReadOnlyList<AuditRecord> Records, long? NextBefore);

/// <summary>
/// A record with its place in the chain: whether its hash matches its content, it links to the one before, and its seal
/// is one of Shield's chain keys made (null: not sealed, as records written before the trail was sealed are not).
/// </summary>
public sealed record AuditRecordDetail(AuditRecord Record, bool HashMatches, bool LinksToPrevious, long? PreviousSequence, bool? SealValid = null);

/// <summary>
/// Reads the trail for the Audit page and the API: keyset paging on the sequence (newest first), so a page costs the
/// same at record ten or ten million; one session's timeline in order; one record and its chain link.
/// </summary>
public sealed class AuditSearch(IDbContextFactory<ShieldDbContext> contexts, AuditKeyring keyring)
{
    public const int MaxPageSize = 500;
    public const int MaxTimeline = 5_000;

    public async Task<AuditRecordsPage> PageAsync(AuditFilter filter, long? before, int size, CancellationToken cancellationToken = default)
    {
        size = Math.Clamp(size, 1, MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = filter.Apply(db.AuditRecords.AsNoTracking());
        if (before is { } limit)
        {
            query = query.Where(r => r.Sequence < limit);
        }

        var records = await query.OrderByDescending(r => r.Sequence).Take(size + 1).ToListAsync(cancellationToken);
        return records.Count > size
            ? new AuditRecordsPage(records[..size], records[size - 1].Sequence)
            : new AuditRecordsPage(records, null);
    }

    /// <summary>Every call and approval of one agent session, oldest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> TimelineAsync(Guid session, CancellationToken cancellationToken = default) =>
        (await TimelinePageAsync(session, null, MaxTimeline, cancellationToken)).Items;

    /// <summary>One page of a session's timeline, oldest first, after the record numbered <paramref name="after"/>.</summary>
    public async Task<Api.Page<AuditRecord>> TimelinePageAsync(Guid session, long? after, int size, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = await db.AuditRecords.AsNoTracking().Where(r => r.SessionId == session && (after == null || r.Sequence > after))
            .OrderBy(r => r.Sequence).Take(size + 1).ToListAsync(cancellationToken);
        return Api.Page<AuditRecord>.Of(records, size, r => r.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public async Task<AuditRecordDetail?> DetailAsync(long sequence, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var record = await db.AuditRecords.AsNoTracking().SingleOrDefaultAsync(r => r.Sequence == sequence, cancellationToken);
        if (record is null)
        {
            return null;
        }

        var previous = await db.AuditRecords.AsNoTracking().Where(r => r.Sequence < sequence).OrderByDescending(r => r.Sequence)
            .Select(r => new { r.Sequence, r.Hash }).FirstOrDefaultAsync(cancellationToken);
        var links = previous is null ? record.PrevHash == AuditChain.Genesis : previous.Hash == record.PrevHash;
        var keys = await keyring.KnownKeysAsync(cancellationToken);
        bool? sealValid = record.Seal is null ? null : keys.Any(k => AuditChain.HasValidSeal(k, record));
        return new AuditRecordDetail(record, AuditChain.ComputeHash(record) == record.Hash, links, previous?.Sequence, sealValid);
    }
}
