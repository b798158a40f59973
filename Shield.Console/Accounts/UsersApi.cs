using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Shield.Console.Authentication;
using Shield.Core.Accounts;

namespace Shield.Console.Accounts;

/// <summary><c>/api/users</c>: administrators list, create and change local accounts.</summary>
internal static class UsersApi
{
    public static void MapUsersApi(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").RequireAuthorization(ShieldPolicies.Admin).WithTags("Users");
        users.MapGet("/", (UserDirectory directory, CancellationToken cancellationToken) => directory.ListAsync(cancellationToken))
            .WithSummary("List local accounts with their roles and state.");
        users.MapGet("/{id}", GetAsync).WithSummary("One local account.");
        users.MapPost("/", CreateAsync).WithSummary("Create a local account: {\"email\",\"password\",\"roles\",\"enabled\"}.");
        users.MapPut("/{id}", UpdateAsync).WithSummary("Change roles, enable or disable, or set a new password; omitted properties stay.");
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> GetAsync(string id, UserDirectory directory) =>
        await directory.FindAsync(id) is { } user ? TypedResults.Ok(user) : NotFound();

    private static async Task<Results<Created<UserView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateUserRequest request, UserDirectory directory, UserManager<ShieldUser> accounts, ClaimsPrincipal caller)
    {
        var result = await directory.CreateAsync(request, accounts.GetUserId(caller));
        return result.User is { } user ? TypedResults.Created($"/api/users/{user.Id}", user)
            : result.Error!.Kind == UserErrorKind.Invalid ? Invalid(result.Error) : Refused(result.Error);
    }

    private static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string id, UpdateUserRequest request, UserDirectory directory, UserManager<ShieldUser> accounts, ClaimsPrincipal caller)
    {
        var result = await directory.UpdateAsync(id, request, accounts.GetUserId(caller));
        return result.User is { } user ? TypedResults.Ok(user)
            : result.Error!.Kind == UserErrorKind.Invalid ? Invalid(result.Error) : Refused(result.Error);
    }

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem("There is no account with that id.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static ValidationProblem Invalid(UserError error) =>
        TypedResults.ValidationProblem(error.Errors ?? new Dictionary<string, string[]>(), error.Message, title: "The account was not saved");

    private static ProblemHttpResult Refused(UserError error) => error.Kind switch
    {
        UserErrorKind.NotFound => NotFound(),
        UserErrorKind.Forbidden => TypedResults.Problem(error.Message, statusCode: StatusCodes.Status403Forbidden, title: "The account was not saved"),
        _ => TypedResults.Problem(error.Message, statusCode: StatusCodes.Status409Conflict, title: "The account was not saved"),
    };
}
