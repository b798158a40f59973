using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shield.Console.Siem;

/// <summary>
/// Degraded while a SIEM sink is further behind the trail than its <see cref="SiemSinkOptions.MaxLag"/>, saying which and
/// by how much. Never Unhealthy: a SIEM that cannot keep up slows no call. Why it fails (which receiver, what error) is
/// on the Audit page, for auditors, not in a health answer anyone may read.
/// </summary>
internal sealed class SiemHealthCheck(SiemStatus status) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var behind = (await status.ReadAsync(cancellationToken)).Where(s => s.Behind).ToList();
        return behind.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(string.Join(" ", behind.Select(s =>
                $"SIEM sink {s.Name} is {s.Lag} record(s) behind the audit trail (more than its MaxLag of {s.MaxLag}); the Audit page says why.")));
    }
}
