using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shield.Console.Hosting;

/// <summary>
/// Writes <c>/healthz</c> as JSON: the overall status (<c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>) and each
/// check's, with Shield's own words for any check that is not healthy; never exception details. Degraded answers 200
/// (Shield still serves), so monitors alert on <c>status</c>.
/// </summary>
internal static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
            reasons = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy && e.Value.Description is not null)
                .ToDictionary(e => e.Key, e => e.Value.Description),
        }, cancellationToken: context.RequestAborted);
    }
}
