using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Agents;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Sessions;

/// <summary>
/// Authenticates an agent by its key (<c>Authorization: Bearer shk_…</c>) for the session API, and nowhere else: an
/// agent key can only mint and end sessions. A refusal says why, as problem details. A disabled agent's key is
/// refused and the attempt recorded (<see cref="SessionRefusals"/>); an unknown key is not, since it names nobody and
/// anyone could send one.
/// </summary>
internal sealed class AgentKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IDbContextFactory<ShieldDbContext> contexts,
    SessionRefusals refusals,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AgentKey";
    public const string AgentIdClaim = "shield:agent-id";
    private const string FailureKey = "shield:agent-key-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var key = header["Bearer ".Length..].Trim();
        if (!SecretToken.LooksLike(key, SecretToken.AgentKeyPrefix))
        {
            return Fail(key.StartsWith(SecretToken.SessionPrefix, StringComparison.Ordinal)
                ? "A session token cannot mint sessions; use the agent's key (shk_…)."
                : $"An agent key is {SecretToken.Shape(SecretToken.AgentKeyPrefix)}, and this credential is not one. Send the agent's key as Authorization: Bearer shk_….");
        }

        var hash = SecretToken.Hash(key);
        await using var db = await contexts.CreateDbContextAsync(Context.RequestAborted);
        var agent = await db.Agents.AsNoTracking().Where(a => a.KeySha256 == hash).Select(a => new { a.Id, a.Name, a.Enabled }).SingleOrDefaultAsync(Context.RequestAborted);
        if (agent is null)
        {
            return Fail("The agent key is not valid: it is unknown, or it was rotated or revoked.");
        }

        if (!agent.Enabled)
        {
            var reason = $"The agent {agent.Name} is disabled.";
            await refusals.RefusedAsync(new Actor(Actor.Agent, agent.Id.ToString(), agent.Name), HttpMethods.IsDelete(Request.Method) ? "end" : "mint", null, reason);
            return Fail(reason);
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, agent.Name), new Claim(AgentIdClaim, agent.Id.ToString())], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Agent authentication failed",
                Detail = Context.Items[FailureKey] as string ?? "Send the agent's key as Authorization: Bearer shk_….",
            },
        });
    }

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }

    /// <summary>The agent a request authenticated as.</summary>
    public static AgentCaller CallerOf(ClaimsPrincipal user) =>
        new(Guid.Parse(user.FindFirstValue(AgentIdClaim)!), user.Identity!.Name!);
}
