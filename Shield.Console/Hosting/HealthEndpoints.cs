using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Shield.Console.Hosting;

/// <summary>
/// The health endpoints, for monitors and load balancers alike; none needs a sign-in and all answer over plain HTTP.
/// <c>/healthz</c> and <c>/healthz/ready</c> run every check (the database, the audit trail) and answer 503 while
/// any is unhealthy: a load balancer sends this instance no calls then, since it would refuse what it cannot record.
/// <c>/healthz/live</c> runs none: it answers 200 while the process serves requests at all, for a supervisor that
/// restarts what hangs (never use it to route traffic).
/// </summary>
internal static class HealthEndpoints
{
    public const string Report = "/healthz";
    public const string Ready = "/healthz/ready";
    public const string Live = "/healthz/live";

    public static void MapShieldHealth(this IEndpointRouteBuilder endpoints)
    {
        var everyCheck = new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync };
        endpoints.MapHealthChecks(Report, everyCheck);
        endpoints.MapHealthChecks(Ready, everyCheck);
        endpoints.MapHealthChecks(Live, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthReportWriter.WriteAsync });
    }
}
