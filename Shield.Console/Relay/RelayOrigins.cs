using Microsoft.Extensions.Options;

namespace Shield.Console.Relay;

/// <summary>
/// The MCP transport's defence against DNS rebinding: a request to <c>/mcp</c> that carries an <c>Origin</c> is let
/// through only when that origin is Shield's own or listed in <see cref="RelayOptions.AllowedOrigins"/>; any other,
/// <c>null</c> and malformed ones included, gets 403 with a JSON-RPC error, before its token is looked at. Agents'
/// MCP clients send no <c>Origin</c> and are not affected.
/// </summary>
internal static class RelayOrigins
{
    public static async Task CheckAsync(HttpContext context, RequestDelegate next)
    {
        var sent = context.Request.Headers.Origin;
        if (sent.Count == 0)
        {
            await next(context);
            return;
        }

        var origin = sent.Count == 1 ? Normalize(sent[0]) : null;
        var allowed = context.RequestServices.GetRequiredService<IOptionsMonitor<RelayOptions>>().CurrentValue.AllowedOrigins;
        if (origin is not null && (origin == Normalize($"{context.Request.Scheme}://{context.Request.Host}")
            || allowed.Any(a => Normalize(a) == origin)))
        {
            await next(context);
            return;
        }

        await JsonRpcError.WriteAsync(context, StatusCodes.Status403Forbidden,
            $"Requests from the web page at {(sent.Count == 1 ? $"'{sent[0]}'" : "several origins")} are refused: only Shield's own pages and the origins in {RelayOptions.SectionName}:AllowedOrigins may call {RelayExtensions.Endpoint} from a browser.");
    }

    /// <summary>An origin as compared: lowercase scheme and host, the port only when not the default; null when it is not an origin.</summary>
    public static string? Normalize(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && !origin.EndsWith('/')
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;
}
