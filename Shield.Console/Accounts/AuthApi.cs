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
/// Failed sign-ins count towards the account's lockout exactly as in the console.
/// </summary>
internal static class AuthApi
{
    public static void MapAuthApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").AllowAnonymous().WithTags("Sign-in");
        auth.MapPost("/login", LoginAsync)
            .Produces<AccessTokenResponse>()
            .WithSummary("Exchange an email and password for a bearer access token (one hour) and a refresh token.");
        auth.MapPost("/refresh", RefreshAsync)
            .Produces<AccessTokenResponse>()
            .WithSummary("Exchange a refresh token for a new access token while the account is unchanged and enabled.");
    }

    private static async Task<Results<EmptyHttpResult, ProblemHttpResult>> LoginAsync(LoginRequest request, SignInManager<ShieldUser> signIn)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return TypedResults.Problem("Send {\"email\": \"...\", \"password\": \"...\"}.", statusCode: StatusCodes.Status400BadRequest, title: "Email and password are required");
        }

        signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
        var result = await signIn.PasswordSignInAsync(request.Email.Trim(), request.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return TypedResults.Empty; // the bearer token handler has written the token response
        }

        var detail = result.IsLockedOut
            ? $"The account is locked after {PasswordPolicy.MaxFailedSignIns} failed sign-ins. Try again in {PasswordPolicy.LockoutDuration.TotalMinutes:0} minutes or ask an administrator."
            : "The email or password is wrong, or the account is disabled.";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
    }

    private static async Task<Results<SignInHttpResult, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, SignInManager<ShieldUser> signIn, IServiceProvider services, TimeProvider time)
    {
        var ticket = string.IsNullOrEmpty(request.RefreshToken) ? null : services.BearerOptions().RefreshTokenProtector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || time.GetUtcNow() >= expires
            || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { Enabled: true } user)
        {
            return TypedResults.Problem("The refresh token is invalid or expired, or the account changed. Sign in again.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Refresh failed");
        }

        return TypedResults.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
    }
}
