using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace Shield.Console.Hosting;

/// <summary>An unexpected failure in <c>/api</c> becomes a 500 problem details with a reference, never a stack trace.</summary>
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

        httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Shield could not complete the request",
                Detail = $"Nothing was changed. Give your administrator this reference: {Activity.Current?.TraceId.ToString() ?? httpContext.TraceIdentifier}",
            },
        });
    }
}
