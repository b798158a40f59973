using System.Security.Claims;
using Shield.Console.Authentication;
using Shield.Core.Accounts;

namespace Shield.Console.Api;

/// <summary>Who the caller is, as Shield sees them.</summary>
public sealed record CallerView(string Name, IReadOnlyList<string> Roles, string Authentication);

internal static class MeApi
{
    public static void MapMeApi(this RouteGroupBuilder api) =>
        api.MapGet("/me", (ClaimsPrincipal caller, ApiAuthentication authentication) => TypedResults.Ok(new CallerView(
                caller.Identity?.Name ?? caller.FindFirstValue("preferred_username") ?? "",
                [.. ShieldRoles.All.Where(caller.IsInRole)],
                authentication.Mode)))
            .RequireAuthorization(ShieldPolicies.AnyRole)
            .WithTags("Sign-in")
            .WithSummary("The caller's name, Shield roles and sign-in mode: a quick check that a token works.");
}
