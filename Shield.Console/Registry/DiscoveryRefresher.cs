using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Cluster;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Registry;

/// <summary>
/// Discovers every enabled server again each <see cref="RegistryOptions.RefreshInterval"/>, so a tool that changes
/// upstream is quarantined without anyone asking; at start it first catches up with servers never discovered or not
/// discovered for a whole interval. One server's failure never stops the others. The rounds run on one instance of a
/// cluster at a time (<see cref="ClusterJob"/>); servers an import changed are discovered at once by the instance that
/// imported them (<see cref="DiscoveryQueue"/>).
/// </summary>
internal sealed partial class DiscoveryRefresher(
    IDbContextFactory<ShieldDbContext> contexts,
    DiscoveryService discovery,
    DiscoveryQueue queue,
    ClusterJobs jobs,
    IOptionsMonitor<RegistryOptions> options,
    TimeProvider time,
    ILogger<DiscoveryRefresher> logger) : BackgroundService
{
    public const string LeaseName = "scheduled-discovery";

    private static readonly Actor Refresher = Actor.Shield("scheduled discovery");

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RefreshPeriodicallyAsync(stoppingToken), WorkOffQueueAsync(stoppingToken));

    private async Task WorkOffQueueAsync(CancellationToken stoppingToken)
    {
        await foreach (var name in queue.Reader.ReadAllAsync(stoppingToken))
        {
            await DiscoverAsync(name, stoppingToken);
        }
    }

    private async Task RefreshPeriodicallyAsync(CancellationToken stoppingToken)
    {
        var interval = options.CurrentValue.RefreshInterval;
        var job = jobs.Create(LeaseName, interval);
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            await RefreshAsync(job, time.GetUtcNow().UtcDateTime - interval, stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshAsync(job, DateTime.MaxValue, stoppingToken);
            }
        }
        finally
        {
            await job.ReleaseAsync();
        }
    }

    /// <summary>
    /// Discovers the enabled servers last discovered before <paramref name="staleBeforeUtc"/> (or never), while this
    /// instance holds the job's lease (renewed before each server, as a round may be long).
    /// </summary>
    private async Task RefreshAsync(ClusterJob job, DateTime staleBeforeUtc, CancellationToken cancellationToken)
    {
        if (!await job.HoldAsync(cancellationToken))
        {
            return;
        }

        List<string> names;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            names = await db.Servers
                .Where(s => s.Enabled && (s.LastDiscoveryAtUtc == null || s.LastDiscoveryAtUtc < staleBeforeUtc))
                .OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The database is unreachable for now: try again at the next tick rather than stop Shield.
            LogListFailed(logger, error);
            return;
        }

        foreach (var name in names)
        {
            if (!await job.HoldAsync(cancellationToken))
            {
                return;
            }

            await DiscoverAsync(name, cancellationToken);
        }
    }

    private async Task DiscoverAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await discovery.DiscoverAsync(name, Refresher, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogRefreshFailed(logger, error, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled discovery could not read the list of servers; it will try again at the next interval")]
    private static partial void LogListFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled discovery of server {Server} could not be recorded")]
    private static partial void LogRefreshFailed(ILogger logger, Exception error, string server);
}
