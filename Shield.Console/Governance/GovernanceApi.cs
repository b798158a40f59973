using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Shield.Console.Authentication;
using Shield.Console.Common;
using Shield.Console.Policy;

namespace Shield.Console.Governance;

/// <summary><c>/api/governance</c>: export (admins, auditors) and import (admins) of the governance document.</summary>
internal static class GovernanceApi
{
    /// <summary>A governance document larger than this is refused before it is read.</summary>
    public const int MaxDocumentBytes = 10 * 1024 * 1024;

    public static void MapGovernanceApi(this RouteGroupBuilder api)
    {
        var governance = api.MapGroup("/governance").WithTags("Governance");
        governance.MapGet("/export", async (GovernanceExporter exporter, CancellationToken cancellationToken) =>
                TypedResults.Json(await exporter.ExportAsync(cancellationToken), GovernanceDocument.Json))
            .RequireAuthorization(ShieldPolicies.RegistryRead)
            .Produces<GovernanceDocument>()
            .WithSummary("The governance document: servers (never a secret), tool decisions, agents, grants and redaction rules. Suitable for version control.");
        governance.MapPost("/import", ImportAsync)
            .RequireAuthorization(ShieldPolicies.Admin)
            .Accepts<GovernanceDocument>("application/json")
            .WithSummary("Validate a governance document and, only if all of it is valid, apply it in one transaction. With ?dryRun=true (and ?days=, 1 to 90, "
                + "default 7), apply nothing: preview how its grants would have decided the calls the trail recorded over those days.");
    }

    private static async Task<Results<Ok<ImportResult>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        HttpRequest request, GovernanceImporter importer, ClaimsPrincipal caller, CancellationToken cancellationToken, bool dryRun = false, int days = TrailPreview.DefaultDays)
    {
        if (dryRun && TrailPreview.DaysProblem(days) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = [problem] }, "Nothing was previewed.", title: "The preview is not valid");
        }

        if (request.ContentLength > MaxDocumentBytes)
        {
            return TypedResults.Problem($"The document is larger than {MaxDocumentBytes / 1024 / 1024} MB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");
        }

        // Read in chunks and stop past the limit: a body without a length cannot exhaust memory either.
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var document = new StringBuilder();
        var chunk = new char[64 * 1024];
        int read;
        while ((read = await reader.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (document.Length + read > MaxDocumentBytes)
            {
                return TypedResults.Problem($"The document is larger than {MaxDocumentBytes / 1024 / 1024} MB.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large");
            }

            document.Append(chunk, 0, read);
        }

        var result = await importer.ImportAsync(document.ToString(), Actors.Of(caller), cancellationToken, dryRun ? days : null);
        return result.Applied || result.DryRun
            ? TypedResults.Ok(result)
            : TypedResults.ValidationProblem(
                result.Errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                $"The document was not applied: {result.Errors.Count} problem(s). Nothing changed.",
                title: "The governance document is not valid");
    }
}
