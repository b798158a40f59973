using Microsoft.AspNetCore.Antiforgery;
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
        account.MapPost("/logout", (HttpContext context, ApiAuthentication mode) => SignOutAsync(context, mode))
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        if (authentication.IsLocal)
        {
            return;
        }

        account.MapGet("/signin", ([FromQuery] string? returnUrl) => TypedResults.Challenge(
            new AuthenticationProperties { RedirectUri = LocalUrl.OrRoot(returnUrl) },
            [OpenIdConnectDefaults.AuthenticationScheme]));
    }

    // A sign-out form posted from another site (no valid antiforgery token) is ignored, not honoured or failed.
    private static async Task<IResult> SignOutAsync(HttpContext context, ApiAuthentication authentication)
    {
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            return TypedResults.LocalRedirect("/");
        }

        if (authentication.IsLocal)
        {
            await context.SignOutAsync(IdentityConstants.ApplicationScheme);
            return TypedResults.LocalRedirect(LocalAccountsExtensions.LoginPath);
        }

        return TypedResults.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
    }
}
