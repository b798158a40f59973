using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Shield.Core.Accounts;

namespace Shield.Console.Accounts;

/// <summary>An API token counts only while its account is enabled and unchanged since the token was issued.</summary>
internal sealed class ActiveAccountRequirement : IAuthorizationRequirement;

/// <summary>
/// Checks <see cref="ActiveAccountRequirement"/> on every API call (two small database reads): bearer tokens live an
/// hour, and a disabled account, a changed role or password, or a sign-in ended for a reused refresh token must take
/// effect at once.
/// </summary>
/// <remarks>
/// Every authorization check makes all registered handlers, a relay request's too: the account services behind this one
/// (a database context among them) are taken from the request's scope only when a policy asks for its requirement.
/// </remarks>
internal sealed class ActiveAccountHandler(IServiceProvider services) : AuthorizationHandler<ActiveAccountRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ActiveAccountRequirement requirement)
    {
        var signIn = services.GetRequiredService<SignInManager<ShieldUser>>();
        var refreshTokens = services.GetRequiredService<RefreshTokens>();
        if (context.User.Identity?.IsAuthenticated == true && await signIn.ValidateSecurityStampAsync(context.User) is { Enabled: true }
            && await refreshTokens.IsLiveAsync(context.User, CancellationToken.None))
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, "The account was disabled or changed since this token was issued, or its sign-in was ended. Sign in again."));
        }
    }
}
