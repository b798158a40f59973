using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Shield.Core.Cluster;

namespace Shield.Console.Cluster;

/// <summary>
/// Redis, when the cluster uses it: Degraded, never Unhealthy, while it is unreachable. The instance still serves and
/// records everything (the database is the truth); only the speed of what crosses instances suffers, so a load balancer
/// keeps routing to it (<c>/healthz/ready</c> answers 200) while monitors alert on the status.
/// </summary>
internal sealed class RedisHealthCheck(ClusterSignals signals, IOptions<ClusterOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(signals.IsConnected
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"Redis is unreachable: changes made on other instances arrive within {options.Value.PollInterval.TotalSeconds:0.#} s " +
                "(each instance looks in the database) instead of at once, and reviewers' clients of /hubs/approvals receive no live events until it answers."));
}
