using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Persistence;

namespace Shield.Console.Policy;

/// <summary>
/// Keeps the policy snapshot current whatever happens to the refresh a change triggers itself: every two seconds it
/// compares the newest governance change with the one the snapshot was built after, and rebuilds when they differ
/// (a change made by another Shield instance, a refresh cut short by a failure). A change of the approval threshold
/// in configuration rebuilds at once.
/// </summary>
internal sealed partial class PolicyFollower(
    IDbContextFactory<ShieldDbContext> contexts,
    PolicyRefresh refresh,
    IOptionsMonitor<ApprovalOptions> options,
    TimeProvider time,
    ILogger<PolicyFollower> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var thresholdChanged = options.OnChange(_ => RefreshInBackground());
        // The first look always rebuilds: a change made elsewhere between start-up and now is not missed.
        long? seen = long.MinValue;
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(stoppingToken);
                var newest = await db.GovernanceChanges.MaxAsync(c => (long?)c.Id, stoppingToken);
                if (newest != seen)
                {
                    await refresh.RefreshAsync(stoppingToken);
                }

                seen = newest;
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogFollowFailed(logger, error);
            }
        }
    }

    private async void RefreshInBackground()
    {
        try
        {
            await refresh.RefreshAsync(CancellationToken.None);
        }
        catch (Exception error)
        {
            LogFollowFailed(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The policy could not be checked for changes; it will try again")]
    private static partial void LogFollowFailed(ILogger logger, Exception error);
}
