using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Shield.Core.Accounts;

namespace Shield.Console.Accounts;

/// <summary>Body of <c>POST /api/auth/login</c>.</summary>
public sealed record LoginRequest(string? Email, string? Password);

/// <summary>Body of <c>POST /api/auth/refresh</c>.</summary>
public sealed record RefreshRequest(string? RefreshToken);

/// <summary>
/// Bearer tokens for scripts using local accounts: <c>POST /api/auth/login</c> and <c>POST /api/auth/refresh</c>.
/// Sign-in follows the same rules as the console's (<see cref="PasswordSignIn"/>); refresh tokens are single use
/// (<see cref="RefreshTokens"/>).
/// </summary>
internal static class AuthApi
{
    public static void MapAuthApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").AllowAnonymous().WithTags("Sign-in");
        auth.MapPost("/login", LoginAsync)
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Exchange an email and password for a bearer access token (one hour) and a refresh token.");
        auth.MapPost("/refresh", RefreshAsync)
            .Produces<AccessTokenResponse>()
            .WithSummary("Exchange a refresh token, once, for a new token pair while the account is unchanged and enabled.");
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> LoginAsync(
        LoginRequest request, HttpContext context, PasswordSignIn passwords, SignInManager<ShieldUser> signIn, RefreshTokens refreshTokens)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return TypedResults.Problem("Send {\"email\": \"...\", \"password\": \"...\"}.", statusCode: StatusCodes.Status400BadRequest, title: "Email and password are required");
        }

        var attempt = await passwords.CheckAsync(context, request.Email.Trim(), request.Password);
        if (attempt.User is { } user)
        {
            signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
            await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim("amr", "pwd"), .. await refreshTokens.StartAsync(user.Id, context.RequestAborted)]);
            return TypedResults.Empty; // the bearer token handler has written the token response
        }

        if (attempt.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = $"{Math.Ceiling(wait.TotalSeconds):0}";
            return TypedResults.Problem(attempt.Refusal, statusCode: StatusCodes.Status429TooManyRequests, title: "Sign-in refused");
        }

        return TypedResults.Problem(attempt.Refusal, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
    }

    private static async Task<Results<SignInHttpResult, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, SignInManager<ShieldUser> signIn, RefreshTokens refreshTokens, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken)
    {
        var ticket = string.IsNullOrEmpty(request.RefreshToken) ? null : services.BearerOptions().RefreshTokenProtector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { Enabled: true } user
            || await refreshTokens.RotateAsync(ticket.Principal, cancellationToken) is not { } next)
        {
            return TypedResults.Problem("The refresh token is invalid, expired or already used, or the account changed. Sign in again.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Refresh failed");
        }

        var principal = await signIn.CreateUserPrincipalAsync(user);
        ((ClaimsIdentity)principal.Identity!).AddClaims(next);
        return TypedResults.SignIn(principal, authenticationScheme: IdentityConstants.BearerScheme);
    }
}
