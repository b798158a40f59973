using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Shield.Core.Accounts;

namespace Shield.Console.Accounts;

/// <summary>
/// Ends a live console circuit within a minute of its account being disabled or changed (roles, password),
/// instead of letting an open browser tab keep working.
/// </summary>
internal sealed class RevalidatingAccountStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromMinutes(1);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var signIn = scope.ServiceProvider.GetRequiredService<SignInManager<ShieldUser>>();
        return await signIn.ValidateSecurityStampAsync(authenticationState.User) is { Enabled: true };
    }
}
