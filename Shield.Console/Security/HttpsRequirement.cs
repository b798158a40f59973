using System.Text;

namespace Shield.Console.Security;

/// <summary>
/// Outside Development every request but <c>/healthz</c> must arrive over HTTPS: sign-in cookies are Secure and bearer
/// tokens must not cross the network in clear. A plain-HTTP request gets a 400 that says how to fix the deployment.
/// </summary>
internal static class HttpsRequirement
{
    public const string Explanation =
        "Shield accepts only HTTPS outside Development. Serve it over TLS (Kestrel certificate), or, when TLS ends at a " +
        "reverse proxy, set ASPNETCORE_FORWARDEDHEADERS_ENABLED=true so Shield sees the original scheme.";

    public static Task Apply(HttpContext context, Func<Task> next)
    {
        if (context.Request.IsHttps || context.Request.Path.StartsWithSegments("/healthz"))
        {
            return next();
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(Explanation), context.RequestAborted).AsTask();
    }
}
