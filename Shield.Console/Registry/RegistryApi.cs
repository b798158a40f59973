using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Shield.Console.Api;
using Shield.Console.Authentication;
using Shield.Console.Common;

namespace Shield.Console.Registry;

/// <summary><c>/api/servers</c> and <c>/api/tools</c>: the registry for scripts. Reading needs admin or auditor; discovery needs admin.</summary>
internal static class RegistryApi
{
    public static void MapRegistryApi(this RouteGroupBuilder api)
    {
        var servers = api.MapGroup("/servers").RequireAuthorization(ShieldPolicies.RegistryRead).WithTags("Registry");
        servers.MapGet("/", async ([AsParameters] PageQuery page, ServerCatalog catalog, HttpContext context, CancellationToken cancellationToken) =>
                Paging.Ok(context, await catalog.PageAsync(page.After, page.Size, cancellationToken)))
            .WithSummary("Registered servers by name with their last discovery and tool counts (paged: limit, after; Link rel=next). Secrets appear only as hasSecret.");
        servers.MapGet("/{name}", async Task<Results<Ok<ServerView>, ProblemHttpResult>> (string name, ServerCatalog catalog, CancellationToken cancellationToken) =>
                await catalog.FindAsync(name, cancellationToken) is { } server
                    ? TypedResults.Ok(server)
                    : ProblemResults.Refused(Refusal.NotFound($"No server named {name} is registered."), "Not found"))
            .WithSummary("One registered server.");
        servers.MapPost("/{name}/discover", DiscoverAsync)
            .RequireAuthorization(ShieldPolicies.Admin)
            .WithSummary("Run discovery now; answers with the tools added, changed, quarantined and removed, or the error.");

        api.MapGroup("/tools").RequireAuthorization(ShieldPolicies.RegistryRead).WithTags("Registry")
            .MapGet("/", async Task<Results<Ok<IReadOnlyList<ToolView>>, ValidationProblem>> ([AsParameters] PageQuery page, ToolReview review, HttpContext context,
                    CancellationToken cancellationToken) =>
                await review.PageAsync(page.After, page.Size, cancellationToken) is { } tools ? Paging.Ok(context, tools) : Paging.BadCursor())
            .WithSummary("The tool inventory by server and tool name with review state, risk and fingerprints (paged: limit, after; Link rel=next).");
    }

    private static async Task<Results<Ok<DiscoveryReport>, ProblemHttpResult>> DiscoverAsync(
        string name, DiscoveryService discovery, ClaimsPrincipal caller, CancellationToken cancellationToken) =>
        await discovery.DiscoverAsync(name, Actors.Of(caller), cancellationToken) is { } report
            ? TypedResults.Ok(report)
            : ProblemResults.Refused(Refusal.NotFound($"No server named {name} is registered."), "Not found");
}
