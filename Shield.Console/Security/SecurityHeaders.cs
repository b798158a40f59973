namespace Shield.Console.Security;

/// <summary>
/// Response headers for a security product: no framing, no sniffing, no referrer, and a content security policy
/// that allows only this site's scripts (Blazor and MudBlazor need inline styles, nothing else). They are added as
/// the response starts, so error responses (whose headers the exception handler clears) carry them too.
/// </summary>
/// <param name="contentSecurityPolicy">The policy for every response.</param>
/// <param name="apiReferencePath">The Development-only API reference, whose page needs inline scripts; null elsewhere.</param>
internal sealed class SecurityHeaders(string contentSecurityPolicy, string? apiReferencePath)
{
    public static string BuildPolicy(IEnumerable<string> extraFormActions) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; " +
        $"form-action {string.Join(' ', ["'self'", .. extraFormActions])}";

    public Task Apply(HttpContext context, Func<Task> next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (string.IsNullOrEmpty(apiReferencePath) || !context.Request.Path.StartsWithSegments(apiReferencePath))
            {
                headers.ContentSecurityPolicy = contentSecurityPolicy;
            }

            return Task.CompletedTask;
        });
        return next();
    }
}
