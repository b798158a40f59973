using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Shield.Console.Accounts;

namespace Shield.Console.Authentication;

/// <summary>
/// A token whose account was since disabled or changed is an authentication problem, not a permission one:
/// answer 401 (sign in again) rather than 403.
/// </summary>
internal sealed class StaleSignInResultHandler(ApiAuthentication api) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden
            && authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Handler is ActiveAccountHandler) == true)
        {
            await context.ChallengeAsync(api.Scheme);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
