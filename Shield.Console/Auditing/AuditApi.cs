using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Shield.Console.Authentication;
using Shield.Console.Common;

namespace Shield.Console.Auditing;

/// <summary>
/// <c>/api/audit</c>, for auditors and admins: search with keyset paging, one record with its chain link, a session's
/// timeline, streamed exports with their signed manifest, and verification of the chain. The console's Audit page
/// downloads exports from <c>/audit/export</c>, the same handler behind the console's own sign-in.
/// </summary>
internal static class AuditApi
{
    public const string ThroughHeader = "Shield-Audit-Through";

    public static void MapAuditApi(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit").RequireAuthorization(ShieldPolicies.AuditRead);
        audit.MapGet("/records", SearchAsync)
            .WithSummary("Records matching the filter, newest first; pass nextBefore back as before for the next page.");
        audit.MapGet("/records/{sequence:long}", async Task<Results<Ok<AuditRecordDetail>, NotFound>> (long sequence, AuditSearch search, CancellationToken cancellationToken) =>
                await search.DetailAsync(sequence, cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound())
            .WithSummary("One record, whether its hash matches its content, and whether it links to the record before.");
        audit.MapGet("/sessions/{id:guid}/timeline", async (Guid id, AuditSearch search, CancellationToken cancellationToken) =>
                TypedResults.Ok(await search.TimelineAsync(id, cancellationToken)))
            .WithSummary("Every record of one agent session, oldest first.");
        audit.MapGet("/export", ExportAsync)
            .WithSummary("The records matching the filter as CSV or JSON Lines (format=csv|jsonl), streamed oldest first; the Shield-Audit-Through header and the Link header name the manifest.");
        audit.MapGet("/export/manifest", ManifestAsync)
            .WithSummary("The signed manifest of the export with the same format, filter and through.");
        audit.MapPost("/export/manifest/verify", async (AuditExportManifest manifest, AuditKeyring keyring, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { valid = manifest.HasValidSignature(await keyring.GetAsync(cancellationToken)) }))
            .WithSummary("Whether a manifest carries Shield's signature, i.e. was issued by this Shield and not altered.");
        audit.MapGet("/verify", async (AuditVerifier verifier, ClaimsPrincipal caller, CancellationToken cancellationToken) =>
                TypedResults.Ok(await verifier.VerifyAsync(Actors.Of(caller).Name, cancellationToken)))
            .WithSummary("Recompute the audit chain and its signed checkpoints; report whether it is intact or its first broken link.");
    }

    /// <summary>The console's download of an export, behind the console sign-in.</summary>
    public static void MapAuditDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/audit/export", ExportAsync).RequireAuthorization(ShieldPolicies.AuditRead).ExcludeFromDescription();
        endpoints.MapGet("/audit/export/manifest", ManifestAsync).RequireAuthorization(ShieldPolicies.AuditRead).ExcludeFromDescription();
    }

    private static async Task<Results<Ok<AuditRecordsPage>, ValidationProblem>> SearchAsync(
        [AsParameters] AuditFilter filter, long? before, int? size, AuditSearch search, CancellationToken cancellationToken)
    {
        if (filter.Problems() is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        return TypedResults.Ok(await search.PageAsync(filter, before, size ?? 100, cancellationToken));
    }

    private static async Task<IResult> ExportAsync(
        HttpContext context, string? format, long? through, [AsParameters] AuditFilter filter, AuditExporter exporter, CancellationToken cancellationToken)
    {
        if (Problems(format, through, filter) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        var head = through ?? await exporter.HeadAsync(cancellationToken);
        var response = context.Response;
        response.ContentType = AuditExporter.ContentType(format!);
        response.Headers.ContentDisposition = $"attachment; filename=\"shield-audit-{head}.{format}\"";
        response.Headers[ThroughHeader] = head.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers.Link = $"<{ManifestUrl(context.Request.Path, format!, filter, head)}>; rel=\"describedby\"";
        await exporter.WriteAsync(response.Body, format!, filter, head, cancellationToken);
        return TypedResults.Empty;
    }

    private static async Task<Results<Ok<AuditExportManifest>, ValidationProblem>> ManifestAsync(
        string? format, long? through, [AsParameters] AuditFilter filter, AuditExporter exporter, CancellationToken cancellationToken)
    {
        if (Problems(format, through, filter) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        var head = through ?? await exporter.HeadAsync(cancellationToken);
        return TypedResults.Ok(await exporter.ManifestAsync(format!, filter, head, cancellationToken));
    }

    private static Dictionary<string, string[]> Problems(string? format, long? through, AuditFilter filter)
    {
        var problems = filter.Problems();
        if (!AuditExporter.IsFormat(format))
        {
            problems["format"] = ["Say format=csv or format=jsonl."];
        }

        if (through < 0)
        {
            problems["through"] = ["\"through\" is a record sequence number (0 or more)."];
        }

        return problems;
    }

    private static string ManifestUrl(PathString exportPath, string format, AuditFilter filter, long through) =>
        QueryHelpers.AddQueryString($"{exportPath}/manifest",
            [new("format", format), new("through", through.ToString(System.Globalization.CultureInfo.InvariantCulture)), .. filter.ToQuery()]);
}
