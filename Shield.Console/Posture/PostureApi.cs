using Shield.Console.Authentication;

namespace Shield.Console.Posture;

/// <summary>The governance posture report for auditors and admins: JSON, and a printable HTML page.</summary>
internal static class PostureApi
{
    public static void MapPostureApi(this RouteGroupBuilder api)
    {
        var posture = api.MapGroup("/posture").WithTags("Posture").RequireAuthorization(ShieldPolicies.AuditRead);
        posture.MapGet("", JsonAsync).WithSummary("The governance posture: the six auditor questions answered with live figures.");
        posture.MapGet("/html", HtmlAsync).WithSummary("The same as a self-contained printable HTML page.");
    }

    /// <summary>The console's downloads of the report, behind the console sign-in.</summary>
    public static void MapPostureDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/posture/report.json", JsonAsync).RequireAuthorization(ShieldPolicies.AuditRead).ExcludeFromDescription();
        endpoints.MapGet("/posture/report.html", HtmlAsync).RequireAuthorization(ShieldPolicies.AuditRead).ExcludeFromDescription();
    }

    private static async Task<IResult> JsonAsync(PostureReporter reporter, CancellationToken cancellationToken) =>
        TypedResults.Ok(await reporter.BuildAsync(cancellationToken));

    private static async Task<IResult> HtmlAsync(PostureReporter reporter, CancellationToken cancellationToken) =>
        TypedResults.Content(PostureHtml.Render(await reporter.BuildAsync(cancellationToken)), "text/html; charset=utf-8");
}
