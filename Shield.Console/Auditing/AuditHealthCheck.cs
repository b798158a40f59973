using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Shield.Console.Auditing;

/// <summary>
/// Unhealthy while the audit trail cannot be written (Shield then refuses what it cannot record), while the writer is
/// stuck on its store, and while tampering found at start waits for an administrator. Degraded when configured to
/// fail open while the trail cannot be written (calls then go on unrecorded), and while checkpoints cannot reach the
/// anchor file.
/// </summary>
internal sealed class AuditHealthCheck(AuditWriter writer, IOptions<AuditOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult((writer.Failure, writer.AnchorFailure) switch
        {
            ({ } failure, _) when options.Value.FailOpen && writer.Tamper is not { Halted: true } => HealthCheckResult.Degraded(failure),
            ({ } failure, _) => HealthCheckResult.Unhealthy(failure),
            (null, { } anchor) => HealthCheckResult.Degraded(anchor),
            _ => HealthCheckResult.Healthy(),
        });
}
