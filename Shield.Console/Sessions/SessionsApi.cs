using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shield.Console.Agents;
using Shield.Console.Authentication;
using Shield.Console.Common;
using Shield.Core.Governance;

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
        MintSessionRequest request, SessionIssuer issuer, AgentDirectory agents, SessionRefusals refusals, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var (agent, refused, problem) = await ResolveAsync(caller, agents, cancellationToken);
        if (agent is null)
        {
            await refusals.RefusedAsync(refused!, "mint", request.Task, problem!);
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status403Forbidden, title: "The session was not created");
        }

        var result = await issuer.MintAsync(agent, request, cancellationToken);
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

    private static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(
        Guid id, SessionIssuer issuer, AgentDirectory agents, SessionRefusals refusals, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        var (agent, refused, problem) = await ResolveAsync(caller, agents, cancellationToken);
        if (agent is null)
        {
            await refusals.RefusedAsync(refused!, "end", null, problem!);
            return TypedResults.Problem(problem, statusCode: StatusCodes.Status403Forbidden, title: "The session was not ended");
        }

        return await issuer.EndAsync(id, agent, cancellationToken) is { } refusal
            ? ProblemResults.Refused(refusal, "The session was not ended")
            : TypedResults.NoContent();
    }

    /// <summary>
    /// The agent behind the request: the one whose key it carries, or, in Entra ID mode, the one bound to the Entra
    /// application of a client-credentials token. People's tokens never mint sessions. When there is none, who was
    /// refused (for the audit trail) and why.
    /// </summary>
    private static async Task<(AgentCaller? Agent, Actor? Refused, string? Problem)> ResolveAsync(ClaimsPrincipal caller, AgentDirectory agents, CancellationToken cancellationToken)
    {
        if (caller.FindFirstValue(AgentKeyAuthentication.AgentIdClaim) is not null)
        {
            return (AgentKeyAuthentication.CallerOf(caller), null, null);
        }

        if (caller.FindFirstValue("scp") is not null || caller.FindFirstValue("http://schemas.microsoft.com/identity/claims/scope") is not null)
        {
            return (null, Actors.Of(caller), "Sessions are minted by agents: a person's token cannot mint one.");
        }

        var application = caller.FindFirstValue("azp") ?? caller.FindFirstValue("appid");
        if (application is null || await agents.FindByEntraClientAsync(application, cancellationToken) is not { } agent)
        {
            return (null, new Actor(Actor.Agent, application ?? "", $"Entra ID application {application ?? "(unnamed)"}"),
                "This Entra ID application is not bound to a Shield agent.");
        }

        return agent.Enabled
            ? (new AgentCaller(agent.Id, agent.Name), null, null)
            : (null, new Actor(Actor.Agent, agent.Id.ToString(), agent.Name), $"The agent {agent.Name} is disabled.");
    }
}
