using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Shield.Console.Auditing;

/// <summary>
/// Unhealthy while the audit trail cannot be written (Shield then refuses what it cannot record); only degraded when
/// configured to fail open, since calls then go on unrecorded.
/// </summary>
internal sealed class AuditHealthCheck(AuditWriter writer, IOptions<AuditOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(writer.Failure switch
        {
            null => HealthCheckResult.Healthy(),
            { } failure when options.Value.FailOpen => HealthCheckResult.Degraded(failure),
            { } failure => HealthCheckResult.Unhealthy(failure),
        });
}
