using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Shield.Console.Api;
using Shield.Console.Common;
using Shield.Console.Authentication;
using Shield.Core.Accounts;

namespace Shield.Console.Accounts;

/// <summary><c>/api/users</c>: administrators list, create and change local accounts.</summary>
internal static class UsersApi
{
    public static void MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").RequireAuthorization(ShieldPolicies.Admin).WithTags("Users");
        users.MapGet("/", async ([AsParameters] PageQuery page, UserDirectory directory, HttpContext context, CancellationToken cancellationToken) =>
                Paging.Ok(context, await directory.PageAsync(page.After, page.Size, cancellationToken)))
            .WithSummary("Local accounts by email with their roles and state (paged: limit, after; Link rel=next).");
        users.MapGet("/{id}", GetAsync).WithSummary("One local account.");
        users.MapPost("/", CreateAsync).WithSummary("Create a local account: {\"email\",\"password\",\"roles\",\"enabled\"}.");
        users.MapPut("/{id}", UpdateAsync).WithSummary("Change roles, enable or disable, or set a new password; omitted properties stay.");
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> GetAsync(string id, UserDirectory directory) =>
        await directory.FindAsync(id) is { } user ? TypedResults.Ok(user) : Refused(Refusal.NotFound("There is no account with that id."));

    private static async Task<Results<Created<UserView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, UserDirectory directory, UserManager<ShieldUser> accounts, ClaimsPrincipal caller)
    {
        var result = await directory.CreateAsync(request, accounts.GetUserId(caller));
        return result.Value is { } user ? TypedResults.Created($"/api/users/{user.Id}", user)
            : result.Refusal!.Kind == RefusalKind.Invalid ? Invalid(result.Refusal) : Refused(result.Refusal);
    }

    private static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string id, UpdateUserRequest request, UserDirectory directory, UserManager<ShieldUser> accounts, ClaimsPrincipal caller)
    {
        var result = await directory.UpdateAsync(id, request, accounts.GetUserId(caller));
        return result.Value is { } user ? TypedResults.Ok(user)
            : result.Refusal!.Kind == RefusalKind.Invalid ? Invalid(result.Refusal) : Refused(result.Refusal);
    }

    private const string NotSaved = "The account was not saved";

    private static ValidationProblem Invalid(Refusal refusal) => ProblemResults.Invalid(refusal, NotSaved);

    private static ProblemHttpResult Refused(Refusal refusal) => ProblemResults.Refused(refusal, NotSaved);
}
