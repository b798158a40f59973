using Microsoft.Extensions.Options;
using Shield.Console.Cluster;
using Shield.Core.Cluster;

namespace Shield.Console.Approvals;

/// <summary>
/// In a cluster, keeps this instance's approval queue and waiting calls in line with what the other instances do: at
/// once for a request another instance signals (<see cref="ClusterSignalKind.Approval"/>), and every
/// <see cref="ClusterOptions.PollInterval"/> by reading the pending requests from the database (the first time at
/// start, so the queue shows what was waiting before). The database decides; a signal only says where to look.
/// </summary>
internal sealed partial class ApprovalFollower(
    ApprovalDesk desk, ClusterSignals signals, IOptions<ClusterOptions> cluster, TimeProvider time, ILogger<ApprovalFollower> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!cluster.Value.Enabled)
        {
            return Task.CompletedTask;
        }

        signals.Subscribe(ClusterSignalKind.Approval, signal => desk.LookAsync(signal.Id!.Value, stoppingToken));
        return new PollingLoop(time, cluster.Value.PollInterval, lookAtOnce: true).RunAsync(desk.FollowAsync, error => LogFollowFailed(logger, error), stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The approval requests could not be read from the database; they are read again shortly")]
    private static partial void LogFollowFailed(ILogger logger, Exception error);
}
