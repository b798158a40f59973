using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Auditing;

/// <summary>An inserter kept with its context, as the writer keeps it: one statement, prepared once, in each batch's transaction.</summary>
public sealed class AuditRecordInserterTests : MigratedSqliteTest
{
    [Fact]
    public async Task AnInserterKeptAcrossTransactions_WritesInEachOne_AndOnlyWhatCommitted()
    {
        await Db.Database.OpenConnectionAsync(Ct);
        using var insert = new AuditRecordInserter(Db);

        foreach (var (sequence, commit) in new[] { (1L, true), (2L, false), (3L, true) })
        {
            await using var transaction = await Db.Database.BeginTransactionAsync(Ct);
            await insert.InsertAsync([Record(sequence)], Ct);
            await (commit ? transaction.CommitAsync(Ct) : transaction.RollbackAsync(Ct));
        }

        Assert.Equal([1L, 3L], await Db.AuditRecords.OrderBy(r => r.Sequence).Select(r => r.Sequence).ToListAsync(Ct));
        Assert.Equal("hash-3", (await Db.AuditRecords.SingleAsync(r => r.Sequence == 3, Ct)).Hash);
    }

    private static AuditRecord Record(long sequence) => new()
    {
        Sequence = sequence,
        AtUtc = DateTime.UtcNow,
        EventType = AuditEventTypes.CallAllowed,
        ActorKind = "agent",
        ActorId = "bot",
        ActorName = "bot",
        PrevHash = $"hash-{sequence - 1}",
        Hash = $"hash-{sequence}",
    };
}
