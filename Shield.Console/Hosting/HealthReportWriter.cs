using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Shield.Console.Hosting;

/// <summary>Writes <c>/healthz</c> as JSON: the overall status and each check's, never exception details.</summary>
internal static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
        }, cancellationToken: context.RequestAborted);
    }
}
