using Microsoft.AspNetCore.Http.HttpResults;

namespace Shield.Console.Common;

/// <summary>Maps a <see cref="Refusal"/> to the problem details an API caller receives.</summary>
internal static class ProblemResults
{
    public static ValidationProblem Invalid(Refusal refusal, string title) =>
        TypedResults.ValidationProblem(refusal.Errors ?? new Dictionary<string, string[]>(), refusal.Message, title: title);

    public static ProblemHttpResult Refused(Refusal refusal, string title) => TypedResults.Problem(refusal.Message, title: title, statusCode: refusal.Kind switch
    {
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.Invalid => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status409Conflict,
    });
}
