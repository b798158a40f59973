using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Authentication;
using Shield.Console.Common;
using Shield.Core.Approvals;
using Shield.Core.Persistence;

namespace Shield.Console.Approvals;

/// <summary><c>/api/approvals</c>: reviewers' automation. Items are what a reviewer sees, arguments redacted.</summary>
internal static class ApprovalsApi
{
    public static void MapApprovalsApi(this RouteGroupBuilder api)
    {
        var approvals = api.MapGroup("/approvals").WithTags("Approvals").RequireAuthorization(ShieldPolicies.Review);
        approvals.MapGet("/", ListAsync)
            .WithSummary("Approval requests by status (pending by default: oldest first; others newest first, at most limit).");
        approvals.MapPost("/{id:guid}/decision", DecideAsync)
            .WithSummary("Approve or deny a pending request: {\"approve\":true|false,\"reason\":\"…\"}; a denial needs a reason.");
    }

    private static async Task<Results<Ok<List<ApprovalView>>, ValidationProblem>> ListAsync(
        string? status, int? limit, IDbContextFactory<ShieldDbContext> contexts, CancellationToken cancellationToken)
    {
        ApprovalStatus? wanted = null;
        if (status is not null && !string.Equals(status, "all", StringComparison.OrdinalIgnoreCase))
        {
            // By name only: a number is not a status, as everywhere in the API.
            if (!Enum.GetNames<ApprovalStatus>().Contains(status, StringComparer.OrdinalIgnoreCase)
                || !Enum.TryParse<ApprovalStatus>(status, ignoreCase: true, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["status"] = ["Use one of: pending, approved, denied, expired, withdrawn, all."],
                });
            }

            wanted = parsed;
        }

        wanted ??= status is null ? ApprovalStatus.Pending : null;
        var take = Math.Clamp(limit ?? 100, 1, 500);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.ApprovalRequests.AsNoTracking();
        query = wanted is { } only ? query.Where(r => r.Status == only) : query;
        query = wanted == ApprovalStatus.Pending ? query.OrderBy(r => r.RequestedAtUtc) : query.OrderByDescending(r => r.RequestedAtUtc);
        var requests = await query.Take(take).ToListAsync(cancellationToken);
        return TypedResults.Ok(requests.Select(ApprovalView.Of).ToList());
    }

    private static async Task<Results<Ok<ApprovalView>, ValidationProblem, ProblemHttpResult>> DecideAsync(
        Guid id, ApprovalDecision decision, ApprovalDesk desk, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        if (decision.Approve is not { } approve)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["approve"] = ["Say true to approve or false to deny."] });
        }

        var person = Actors.Of(caller);
        Result<ApprovalView> result;
        try
        {
            result = await desk.DecideAsync(id, new Reviewer(person.Id, person.Name), approve, decision.Reason, cancellationToken);
        }
        catch (Auditing.AuditUnavailableException e)
        {
            return TypedResults.Problem($"Shield cannot record decisions right now, so none was taken: {e.Message}",
                title: "The decision was not taken", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (result.Value is { } view)
        {
            return TypedResults.Ok(view);
        }

        return result.Refusal!.Kind == RefusalKind.Invalid
            ? ProblemResults.Invalid(result.Refusal, "The decision was not taken")
            : ProblemResults.Refused(result.Refusal, "The decision was not taken");
    }
}
