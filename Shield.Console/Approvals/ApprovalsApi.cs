using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Api;
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
            .WithSummary("Approval requests by status (pending by default: oldest first; others newest first; paged: limit, after; Link rel=next).");
        approvals.MapPost("/{id:guid}/decision", DecideAsync)
            .WithSummary("Approve or deny a pending request: {\"approve\":true|false,\"reason\":\"…\"}; a denial needs a reason.");
    }

    private static async Task<Results<Ok<IReadOnlyList<ApprovalView>>, ValidationProblem>> ListAsync(
        string? status, [AsParameters] PageQuery page, IDbContextFactory<ShieldDbContext> contexts, HttpContext context, CancellationToken cancellationToken)
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

        // The cursor is the last request's time and id: requests made at the same moment are neither skipped nor repeated.
        (DateTime At, Guid Id)? after = null;
        if (page.After is not null)
        {
            if (page.After.Split('_') is not [var ticks, var id] || !long.TryParse(ticks, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var at)
                || at > DateTime.MaxValue.Ticks || !Guid.TryParseExact(id, "N", out var last))
            {
                return Paging.BadCursor();
            }

            after = (new DateTime(at, DateTimeKind.Utc), last);
        }

        wanted ??= status is null ? ApprovalStatus.Pending : null;
        var oldestFirst = wanted == ApprovalStatus.Pending;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.ApprovalRequests.AsNoTracking();
        query = wanted is { } only ? query.Where(r => r.Status == only) : query;
        if (after is var (time, lastId))
        {
            query = oldestFirst
                ? query.Where(r => r.RequestedAtUtc > time || (r.RequestedAtUtc == time && r.Id.CompareTo(lastId) > 0))
                : query.Where(r => r.RequestedAtUtc < time || (r.RequestedAtUtc == time && r.Id.CompareTo(lastId) < 0));
        }

        query = oldestFirst ? query.OrderBy(r => r.RequestedAtUtc).ThenBy(r => r.Id) : query.OrderByDescending(r => r.RequestedAtUtc).ThenByDescending(r => r.Id);
        var requests = await query.Take(page.Size + 1).ToListAsync(cancellationToken);
        return Paging.Ok(context, Page<ApprovalView>.Of([.. requests.Select(ApprovalView.Of)], page.Size,
            r => $"{r.RequestedAt.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture)}_{r.Id:N}"));
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
