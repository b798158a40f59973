using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// A hand-written MCP endpoint for what no real server does on purpose: malformed tool entries, endless or looping
/// pagination. It speaks just enough streamable HTTP (JSON responses) for a client to initialize and list tools, and
/// answers any other method as unknown, as a server of the 2025-11-25 revision answers <c>server/discover</c>.
/// </summary>
public sealed class MisbehavingMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MisbehavingMcpServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    /// <param name="toolsPage">Answers <c>tools/list</c> for a cursor (null for the first page) with the raw result object.</param>
    /// <param name="initializeError">When given, <c>initialize</c> fails with the JSON-RPC error message it returns for the request.</param>
    /// <param name="emptyForUnknown">Answers a method it does not know with an empty result instead of -32601, as some servers do.</param>
    public static async Task<MisbehavingMcpServer> StartAsync(Func<string?, JsonObject> toolsPage, Func<HttpRequest, string>? initializeError = null, bool emptyForUnknown = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/mcp", async (HttpContext context) =>
        {
            var request = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
            if (request["id"] is not { } id)
            {
                return Results.Accepted();
            }

            var method = request["method"]!.GetValue<string>();
            if (method == "initialize" && initializeError is not null)
            {
                return Results.Json(new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = id.DeepClone(),
                    ["error"] = new JsonObject { ["code"] = -32600, ["message"] = initializeError(context.Request) },
                });
            }

            if (method is not ("initialize" or "tools/list" or "ping") && !emptyForUnknown)
            {
                // As a server of the 2025-11-25 revision answers what it does not know (server/discover among them).
                return Results.Json(new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = id.DeepClone(),
                    ["error"] = new JsonObject { ["code"] = -32601, ["message"] = $"Method not found: {method}" },
                });
            }

            JsonNode result = method switch
            {
                "initialize" => new JsonObject
                {
                    ["protocolVersion"] = "2025-11-25",
                    ["capabilities"] = new JsonObject { ["tools"] = new JsonObject() },
                    ["serverInfo"] = new JsonObject { ["name"] = "misbehaving", ["version"] = "0.0.1" },
                },
                "tools/list" => toolsPage(request["params"]?["cursor"]?.GetValue<string>()),
                _ => new JsonObject(),
            };
            return Results.Json(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result });
        });
        app.MapGet("/mcp", () => Results.StatusCode(StatusCodes.Status405MethodNotAllowed));
        app.MapDelete("/mcp", () => Results.StatusCode(StatusCodes.Status405MethodNotAllowed));
        await app.StartAsync();
        return new MisbehavingMcpServer(app)
        {
            Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/mcp",
        };
    }

    public static JsonObject Tool(string name, string description = "A tool") => new()
    {
        ["name"] = name,
        ["description"] = description,
        ["inputSchema"] = new JsonObject { ["type"] = "object" },
    };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
