using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Shield.Console.Authentication;

namespace Shield.Console.Accounts;

/// <summary>The console's sign-out (both modes) and the Entra ID sign-in redirect. Forms carry an antiforgery token.</summary>
internal static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder endpoints, ApiAuthentication authentication)
    {
        var account = endpoints.MapGroup("/account").ExcludeFromDescription();
        if (authentication.IsLocal)
        {
            account.MapPost("/logout", async (HttpContext context, [FromForm] string? returnUrl) =>
            {
                await context.SignOutAsync(IdentityConstants.ApplicationScheme);
                return TypedResults.LocalRedirect(LocalAccountsExtensions.LoginPath);
            });
            return;
        }

        account.MapPost("/logout", ([FromForm] string? returnUrl) => TypedResults.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        account.MapGet("/signin", ([FromQuery] string? returnUrl) => TypedResults.Challenge(
            new AuthenticationProperties { RedirectUri = LocalUrl.OrRoot(returnUrl) },
            [OpenIdConnectDefaults.AuthenticationScheme]));
    }
}
