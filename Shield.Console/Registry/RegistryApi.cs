using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shield.Console.Authentication;
using Shield.Console.Common;

namespace Shield.Console.Registry;

/// <summary><c>/api/servers</c> and <c>/api/tools</c>: the registry for scripts. Reading needs admin or auditor; discovery needs admin.</summary>
internal static class RegistryApi
{
    public static void MapRegistryApi(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/servers").RequireAuthorization(ShieldPolicies.RegistryRead).WithTags("Registry");
        servers.MapGet("/", (ServerCatalog catalog, CancellationToken cancellationToken) => catalog.ListAsync(cancellationToken))
            .WithSummary("Registered servers with their last discovery and tool counts. Secrets appear only as hasSecret.");
        servers.MapGet("/{name}", async Task<Results<Ok<ServerView>, ProblemHttpResult>> (string name, ServerCatalog catalog, CancellationToken cancellationToken) =>
                await catalog.FindAsync(name, cancellationToken) is { } server
                    ? TypedResults.Ok(server)
                    : ProblemResults.Refused(Refusal.NotFound($"No server named {name} is registered."), "Not found"))
            .WithSummary("One registered server.");
        servers.MapPost("/{name}/discover", DiscoverAsync)
            .RequireAuthorization(ShieldPolicies.Admin)
            .WithSummary("Run discovery now; answers with the tools added, changed, quarantined and removed, or the error.");

        api.MapGroup("/tools").RequireAuthorization(ShieldPolicies.RegistryRead).WithTags("Registry")
            .MapGet("/", (ToolReview review, CancellationToken cancellationToken) => review.ListAsync(cancellationToken))
            .WithSummary("The whole tool inventory with review state, risk and fingerprints.");
    }

    private static async Task<Results<Ok<DiscoveryReport>, ProblemHttpResult>> DiscoverAsync(
        string name, DiscoveryService discovery, ClaimsPrincipal caller, CancellationToken cancellationToken) =>
        await discovery.DiscoverAsync(name, Actors.Of(caller), cancellationToken) is { } report
            ? TypedResults.Ok(report)
            : ProblemResults.Refused(Refusal.NotFound($"No server named {name} is registered."), "Not found");
}
