using System.Text.Json;

namespace Shield.Console.Relay;

/// <summary>An HTTP error from <c>/mcp</c> written as MCP clients read it: a JSON-RPC error response without an id.</summary>
internal static class JsonRpcError
{
    public const int InvalidRequest = -32600;

    public static async Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            id = (object?)null,
            error = new { code = InvalidRequest, message },
        }));
    }
}
