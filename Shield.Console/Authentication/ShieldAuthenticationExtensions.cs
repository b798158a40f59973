using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Shield.Console.Accounts;

namespace Shield.Console.Authentication;

internal static class ShieldAuthenticationExtensions
{
    /// <summary>Local accounts, or Microsoft Entra ID when an <c>AzureAd</c> section is configured; plus the policies.</summary>
    public static ApiAuthentication AddShieldAuthentication(this WebApplicationBuilder builder)
    {
        var api = EntraSettings.IsRequested(builder.Configuration) ? builder.AddEntraSignIn() : builder.AddLocalAccounts();
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, Sessions.AgentKeyAuthentication>(Sessions.AgentKeyAuthentication.SchemeName, null);
        builder.Services.AddSingleton(api);
        // Raised by local accounts when one changes; with Entra ID, roles change there and are seen at the next check.
        builder.Services.AddSingleton<AccountChanges>();
        builder.Services.AddAuthorization(options => ShieldPolicies.Add(options, api));
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, StaleSignInResultHandler>();
        builder.Services.AddCascadingAuthenticationState();
        return api;
    }
}
