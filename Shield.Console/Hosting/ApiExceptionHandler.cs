using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace Shield.Console.Hosting;

/// <summary>
/// An unexpected failure in <c>/api</c> becomes a 500 problem details with a reference, never a stack trace; a change
/// the audit trail cannot record yet (committed, recorded once the trail takes it) a 503 that says so.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // By now the request path is the error page's; the feature keeps the path that failed.
        var path = httpContext.Features.Get<IExceptionHandlerFeature>()?.Path ?? httpContext.Request.Path;
        if (!path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var reference = Activity.Current?.TraceId.ToString() ?? httpContext.TraceIdentifier;
        // A change that committed but that the trail cannot record yet is kept: its message says so, and it is no fault.
        var (status, title, detail) = exception is Auditing.AuditUnavailableException unrecorded
            ? (StatusCodes.Status503ServiceUnavailable, "The audit trail cannot record right now", $"{unrecorded.Message} Reference: {reference}")
            : (StatusCodes.Status500InternalServerError, "Shield could not complete the request",
                (HttpMethods.IsGet(httpContext.Request.Method) || HttpMethods.IsHead(httpContext.Request.Method)
                    ? "Nothing was changed."
                    : "It may not have been completed: check before you try again.") + $" Give your administrator this reference: {reference}");
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
