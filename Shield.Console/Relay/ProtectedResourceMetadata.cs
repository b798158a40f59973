namespace Shield.Console.Relay;

/// <summary>
/// The RFC 9728 Protected Resource Metadata for <c>/mcp</c>: what the resource is and how to present a token. Shield
/// issues its own session tokens through <c>POST /api/sessions</c>, so it names no authorization server.
/// </summary>
internal static class ProtectedResourceMetadata
{
    public const string Path = "/.well-known/oauth-protected-resource";

    public static string UrlFor(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}{Path}";

    public static void MapProtectedResourceMetadata(this IEndpointRouteBuilder endpoints)
    {
        // RFC 9728 §3.1: the document for https://host/mcp may also be asked for at /.well-known/oauth-protected-resource/mcp.
        endpoints.MapGet(Path, Describe).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(Path + RelayExtensions.Endpoint, Describe).AllowAnonymous().ExcludeFromDescription();
    }

    private static IResult Describe(HttpRequest request) => Results.Json(new Dictionary<string, object>
    {
        ["resource"] = $"{request.Scheme}://{request.Host}{request.PathBase}{RelayExtensions.Endpoint}",
        ["resource_name"] = "Shield MCP relay",
        ["bearer_methods_supported"] = new[] { "header" },
        ["authorization_servers"] = Array.Empty<string>(),
    });
}
