using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shield.Console.Authentication;
using Shield.Console.Common;

namespace Shield.Console.Sessions;

/// <summary><c>/api/sessions</c>: agents mint and end task-scoped sessions with their key.</summary>
internal static class SessionsApi
{
    public static void MapSessionsApi(this IEndpointRouteBuilder endpoints)
    {
        var sessions = endpoints.MapGroup("/api/sessions").RequireAuthorization(ShieldPolicies.Agent).WithTags("Sessions");
        sessions.MapPost("/", MintAsync)
            .WithSummary("Mint a session token for one task: {\"task\",\"tools\":[\"<server>__<tool>\"],\"ttlSeconds\"}. The token is shown once.");
        sessions.MapDelete("/{id:guid}", EndAsync)
            .WithSummary("End one of the calling agent's sessions; its token stops working at once.");
    }

    private static async Task<Results<Created<MintedSession>, ValidationProblem, ProblemHttpResult>> MintAsync(
        MintSessionRequest request, SessionIssuer issuer, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var result = await issuer.MintAsync(AgentKeyAuthentication.CallerOf(caller), request, cancellationToken);
        if (result.Value is { } session)
        {
            return TypedResults.Created($"/api/sessions/{session.Id}", session);
        }

        var refusal = result.Refusal!;
        if (refusal.Kind == RefusalKind.Invalid)
        {
            return ProblemResults.Invalid(refusal, "The session was not created");
        }

        return TypedResults.Problem(refusal.Message, statusCode: StatusCodes.Status403Forbidden, title: "The session was not created",
            extensions: new Dictionary<string, object?> { ["refused"] = refusal.Errors?.Select(e => new RefusedTool(e.Key, e.Value[0])).ToList() });
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(Guid id, SessionIssuer issuer, ClaimsPrincipal caller, CancellationToken cancellationToken) =>
        await issuer.EndAsync(id, AgentKeyAuthentication.CallerOf(caller), cancellationToken) is { } refusal
            ? ProblemResults.Refused(refusal, "The session was not ended")
            : TypedResults.NoContent();
}
