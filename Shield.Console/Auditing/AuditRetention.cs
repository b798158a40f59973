using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Cluster;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// Removes audit records older than <see cref="AuditOptions.RetentionDays"/>, at start and then every hour, when set,
/// on one instance of a cluster at a time (<see cref="ClusterJob"/>). It first records the pruning in the chain (an
/// <c>audit.pruned</c> record naming the last record removed and its hash), then deletes, so the rest still verifies
/// and nobody can remove more and pass it off as retention. Nothing is removed that something still needs
/// (<see cref="IAuditRetentionHold"/>: a SIEM sink that has not sent it yet); when that holds records back, it says so.
/// </summary>
public sealed partial class AuditRetention(
    IDbContextFactory<ShieldDbContext> contexts,
    AuditWriter writer,
    ClusterJobs jobs,
    IEnumerable<IAuditRetentionHold> holds,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditRetention> logger) : BackgroundService
{
    public const string LeaseName = "audit-retention";
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RetentionDays is null)
        {
            return;
        }

        var job = jobs.Create(LeaseName, Interval);
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                try
                {
                    if (await job.HoldAsync(stoppingToken))
                    {
                        await PruneAsync(stoppingToken);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogPruneFailed(logger, exception);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        finally
        {
            await job.ReleaseAsync();
        }
    }

    /// <summary>Prunes now; returns how many records were removed.</summary>
    public async Task<long> PruneAsync(CancellationToken cancellationToken = default)
    {
        if (options.Value.RetentionDays is not { } days)
        {
            return 0;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // Never by a clock far ahead of the trail (one stepped forward before it was synchronised would prune it all):
        // count the days back from the newest record when the clock is later.
        var newestAt = await db.AuditRecords.OrderByDescending(r => r.Sequence).Select(r => (DateTime?)r.AtUtc).FirstOrDefaultAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var olderThan = (newestAt is { } newest && newest < now ? newest : now).AddDays(-days);
        var first = await db.AuditRecords.MinAsync(r => (long?)r.Sequence, cancellationToken);
        var firstKept = await db.AuditRecords.Where(r => r.AtUtc >= olderThan).MinAsync(r => (long?)r.Sequence, cancellationToken);
        var through = (firstKept ?? await db.AuditRecords.MaxAsync(r => (long?)r.Sequence, cancellationToken) + 1 ?? 0) - 1;
        if (first is null || through < first)
        {
            return 0;
        }

        foreach (var hold in holds)
        {
            if (await hold.LimitAsync(db, through, cancellationToken) is { } limit && limit.Through < through)
            {
                LogHeldBack(logger, through - Math.Max(limit.Through, first.Value - 1), limit.Why);
                through = limit.Through;
            }
        }

        if (through < first)
        {
            return 0;
        }

        var last = await db.AuditRecords.Where(r => r.Sequence == through).Select(r => r.Hash).SingleAsync(cancellationToken);
        var governance = await db.AuditRecords.LastGovernanceChangeAsync(cancellationToken) ?? 0;
        // The key that seals the first record kept: the sealing record that said so may be among those removed.
        var sealing = await AuditTailCheck.SealingAsync(db, through, cancellationToken);
        var pruning = new AuditPruning(through, last, olderThan, through - first.Value + 1, governance, sealing?.KeyId);
        var receipt = await writer.AppendAsync(new AuditRecord
        {
            AtUtc = time.GetUtcNow().UtcDateTime,
            EventType = AuditEventTypes.Pruned,
            ActorKind = Actor.System,
            ActorId = "retention",
            ActorName = "Shield (retention)",
            Subject = "audit",
            SubjectKey = $"1-{through}",
            Action = "pruned",
            Reason = $"Records older than {days} day(s) ({AuditOptions.SectionName}:RetentionDays).",
            After = pruning.ToJson(),
        }, cancellationToken, checkpoint: true);
        if (!receipt.Recorded)
        {
            return 0; // failing open, the pruning could not be recorded: delete nothing it would not vouch for
        }

        var removed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var count = await db.AuditRecords.Where(r => r.Sequence <= through).ExecuteDeleteAsync(cancellationToken);
            await db.AuditCheckpoints.Where(c => c.Sequence <= through).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return count;
        });
        LogPruned(logger, removed, through, days);
        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} audit record(s), through record {Through}, older than {Days} day(s).")]
    private static partial void LogPruned(ILogger logger, int count, long through, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention keeps {Count} audit record(s) past their time: {Why}. They are removed once it has.")]
    private static partial void LogHeldBack(ILogger logger, long count, string why);

    [LoggerMessage(Level = LogLevel.Error, Message = "Pruning the audit trail failed; it is tried again in an hour.")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}
