using Microsoft.EntityFrameworkCore;
using Shield.Console.Cluster;
using Shield.Core.Approvals;
using Shield.Core.Persistence;

namespace Shield.Console.Approvals;

/// <summary>
/// Every <see cref="Interval"/>, on one instance of the cluster at a time (<see cref="ClusterJob"/>), expires requests
/// still pending a round after their deadline. The instance whose call waits closes its request at the deadline itself;
/// this catches the requests whose instance died, or could not store the expiry, so no request stays open forever.
/// </summary>
internal sealed partial class ApprovalExpiry(
    IDbContextFactory<ShieldDbContext> contexts,
    ApprovalDesk desk,
    ClusterJobs jobs,
    TimeProvider time,
    ILogger<ApprovalExpiry> logger) : BackgroundService
{
    public const string LeaseName = "approval-expiry";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var job = jobs.Create(LeaseName, Interval);
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (await job.HoldAsync(stoppingToken))
                {
                    await ExpireOverdueAsync(stoppingToken);
                }
            }
        }
        finally
        {
            await job.ReleaseAsync();
        }
    }

    /// <summary>Expires the requests still pending a whole round past their deadline.</summary>
    public async Task ExpireOverdueAsync(CancellationToken cancellationToken = default)
    {
        var overdue = time.GetUtcNow().UtcDateTime - Interval;
        List<Guid> ids;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            ids = await db.ApprovalRequests.Where(r => r.Status == ApprovalStatus.Pending && r.ExpiresAtUtc <= overdue)
                .OrderBy(r => r.ExpiresAtUtc).Select(r => r.Id).ToListAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogListFailed(logger, error);
            return;
        }

        foreach (var id in ids)
        {
            try
            {
                await desk.ExpireAsync(id, "No reviewer decided in time, and the instance the call waited on did not close it (it stopped or lost the database); the call was denied.");
            }
            catch (DbUpdateConcurrencyException)
            {
                // Closed by another instance meanwhile (its own deadline, or a reviewer): nothing left to do.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Overdue approval requests could not be read; they are expired at the next round.")]
    private static partial void LogListFailed(ILogger logger, Exception error);
}
