using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Shield.Console.Api;
using Shield.Console.Authentication;
using Shield.Console.Common;

using Shield.Core.Text;

namespace Shield.Console.Auditing;

/// <summary>Body of <c>POST /api/audit/tamper/acknowledge</c>.</summary>
public sealed record TamperAcknowledgement(string? Reason);

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
        audit.MapGet("/sessions/{id:guid}/timeline", TimelineAsync)
            .WithSummary("The records of one agent session, oldest first (paged: limit, after; Link rel=next).");
        audit.MapGet("/export", ExportAsync)
            .WithSummary("The records matching the filter as CSV or JSON Lines (format=csv|jsonl), streamed oldest first; the Shield-Audit-Through header and the Link header name the manifest.");
        audit.MapGet("/export/manifest", ManifestAsync)
            .WithSummary("The signed manifest of the export with the same format, filter and through.");
        audit.MapPost("/export/manifest/verify", async (AuditExportManifest manifest, AuditKeyring keyring, CancellationToken cancellationToken) =>
                TypedResults.Ok(new { valid = manifest.HasValidSignature([await keyring.ChainKeyAsync(cancellationToken)]) }))
            .WithSummary("Whether a manifest carries Shield's signature, i.e. was issued by this Shield and not altered.");
        audit.MapGet("/verify", async (AuditVerifier verifier, ClaimsPrincipal caller, CancellationToken cancellationToken) =>
                TypedResults.Ok(await verifier.VerifyAsync(Actors.Of(caller).Name, cancellationToken)))
            .WithSummary("Recompute the audit chain, its seals, its signed checkpoints and the anchor file; report whether it is intact or its first broken link.");
        audit.MapGet("/status", (AuditWriter writer, AuditKeyring keyring) => TypedResults.Ok(AuditTrailStatus.Of(writer, keyring)))
            .WithSummary("Whether the trail is being written, where its chain key lives, whether checkpoints reach the anchor file, and any tampering found at start.");
        api.MapPost("/audit/tamper/acknowledge", AcknowledgeAsync).WithTags("Audit").RequireAuthorization(ShieldPolicies.Admin)
            .WithSummary("Acknowledge tampering found at start, with a reason: it becomes an audit.tamper-detected record and recording resumes.");
    }

    private static async Task<Results<Ok<AuditReceipt>, ProblemHttpResult>> AcknowledgeAsync(
        TamperAcknowledgement body, AuditWriter writer, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Reason))
        {
            return TypedResults.Problem("Say why it is safe to go on (what was found and who looked into it): \"reason\" is required.",
                statusCode: StatusCodes.Status400BadRequest, title: "A reason is required");
        }

        var receipt = await writer.AcknowledgeTamperAsync(Actors.Of(caller), body.Reason.Trim().Clip(1000), cancellationToken);
        return receipt is { } recorded
            ? TypedResults.Ok(recorded)
            : TypedResults.Problem("Shield found no tampering waiting to be acknowledged.", statusCode: StatusCodes.Status409Conflict, title: "Nothing to acknowledge");
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

    private static async Task<Results<Ok<IReadOnlyList<Shield.Core.Auditing.AuditRecord>>, ValidationProblem>> TimelineAsync(
        Guid id, [AsParameters] PageQuery page, AuditSearch search, HttpContext context, CancellationToken cancellationToken)
    {
        long? after = null;
        if (page.After is not null)
        {
            if (!long.TryParse(page.After, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
            {
                return Paging.BadCursor();
            }

            after = sequence;
        }

        return Paging.Ok(context, await search.TimelinePageAsync(id, after, page.Size, cancellationToken));
    }

    private static async Task<IResult> ExportAsync(
        HttpContext context, string? format, long? through, [AsParameters] AuditFilter filter, AuditExporter exporter, CancellationToken cancellationToken)
    {
        if (Problems(format, through, filter) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        var head = through ?? (await exporter.HeadAsync(cancellationToken)).Through;
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

        var head = through ?? (await exporter.HeadAsync(cancellationToken)).Through;
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
