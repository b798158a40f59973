using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Shield.Console.Sessions;
using Shield.Core.Agents;
using Shield.Core.Sessions;

namespace Shield.Console.Relay;

/// <summary>
/// Authenticates every request to <c>/mcp</c> by its session token (<c>Authorization: Bearer shs_…</c>), checked
/// afresh each time, so an expired, ended or revoked session is cut off at its very next request. Agent keys and
/// tokens in the query string are refused. The session's id is the caller's name identifier, which the MCP transport
/// binds each <c>Mcp-Session-Id</c> to: another session's token cannot use it.
/// </summary>
internal sealed class SessionTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionIssuer sessions,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SessionToken";
    public const string TaskClaim = "shield:task";
    private const string FailureKey = "shield:session-token-failure";
    private const string SessionKey = "shield:agent-session";
    private const string Missing = "Send the session token as Authorization: Bearer shs_… (mint one with POST /api/sessions).";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Query.Any(q => q.Key.Contains("token", StringComparison.OrdinalIgnoreCase) ||
            q.Value.Any(v => v?.StartsWith(SecretToken.SessionPrefix, StringComparison.Ordinal) == true || v?.StartsWith(SecretToken.AgentKeyPrefix, StringComparison.Ordinal) == true)))
        {
            return Fail("Tokens in the URL are refused: URLs end up in logs. Send the token as Authorization: Bearer shs_….");
        }

        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Fail(Missing);
        }

        var token = header["Bearer ".Length..].Trim();
        if (token.StartsWith(SecretToken.AgentKeyPrefix, StringComparison.Ordinal))
        {
            return Fail("An agent key cannot call tools. Mint a session with it (POST /api/sessions) and send the session's token.");
        }

        var session = await sessions.CheckAsync(token, Context.RequestAborted);
        if (session is null)
        {
            return Fail("The session token is not valid: it is unknown, expired, ended or revoked. Mint a new session.");
        }

        Context.Items[SessionKey] = session;
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, session.Id.ToString(), ClaimValueTypes.String, SchemeName),
            new Claim(ClaimTypes.Name, session.AgentName),
            new Claim(TaskClaim, session.Task),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = Context.Items[FailureKey] as string ?? Missing;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate =
            $"Bearer resource_metadata=\"{ProtectedResourceMetadata.UrlFor(Request)}\", error=\"invalid_token\", error_description=\"{HeaderText(reason)}\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Session authentication failed", Detail = reason },
        });
    }

    /// <summary>The session the current request authenticated with.</summary>
    public static AgentSession? SessionOf(HttpContext context) => context.Items[SessionKey] as AgentSession;

    // A header carries printable ASCII only: the ellipsis becomes three dots, quotes and anything else a plain stand-in.
    private static string HeaderText(string reason) =>
        string.Concat(reason.Replace("…", "...", StringComparison.Ordinal).Select(c => c is >= ' ' and <= '~' and not '"' and not '\\' ? c : '\''));

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureKey] = reason;
        return AuthenticateResult.Fail(reason);
    }
}
