using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Shield.Benchmarks.OutsideProcess;

/// <summary>
/// An upstream MCP server that costs next to nothing, run in a process of its own so that its CPU is counted apart:
/// streamable HTTP answered with plain JSON (no event stream), one tool, <c>echo</c>, which returns its <c>text</c>.
/// It answers just what a client needs (initialize, the initialized notification, tools/list, tools/call, ping; and
/// server/discover when it speaks 2026-07-28, whose requests stand alone and carry no session): a benchmark fixture,
/// not a server to copy. Prints its address once it listens, then every 10 s how many requests of each kind it has
/// answered (with <c>SHIELD_BENCH_LOG</c>, to see what a relay sends for each call).
/// Run: dotnet Shield.Benchmarks.dll canned-upstream [2025-11-25|2026-07-28]
/// </summary>
internal static class CannedUpstream
{
    private const string Session = "canned-upstream-session";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> Seen = new(StringComparer.Ordinal);
    private static bool _stateless;

    public static async Task RunAsync(string revision)
    {
        _stateless = revision == "2026-07-28";
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/mcp", AnswerAsync);
        app.MapGet("/mcp", context => Status(context, StatusCodes.Status405MethodNotAllowed));
        app.MapDelete("/mcp", context => Status(context, StatusCodes.Status200OK));
        await app.StartAsync();
        System.Console.WriteLine("listening on " + app.Urls.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/mcp");
        using var counting = new PeriodicTimer(TimeSpan.FromSeconds(10));
        var printed = "";
        try
        {
            while (await counting.WaitForNextTickAsync(app.Lifetime.ApplicationStopping))
            {
                var seen = "requests so far: " + string.Join(", ", Seen.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
                if (seen != printed)
                {
                    System.Console.WriteLine(printed = seen);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        await app.WaitForShutdownAsync();
    }

    private static Task Status(HttpContext context, int status)
    {
        Seen.AddOrUpdate(context.Request.Method, 1, (_, n) => n + 1);
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        using var request = await JsonDocument.ParseAsync(context.Request.Body);
        var root = request.RootElement;
        Seen.AddOrUpdate(root.TryGetProperty("method", out var called) ? called.GetString() ?? "?" : "(answer)", 1, (_, n) => n + 1);
        if (!root.TryGetProperty("id", out var id))
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted; // a notification
            return;
        }

        var method = root.GetProperty("method").GetString();
        if (method is not ("initialize" or "tools/list" or "tools/call" or "ping") && !(_stateless && method == "server/discover"))
        {
            // As a 2025-11-25 server answers what it does not know (server/discover among them).
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"jsonrpc":"2.0","id":""" + id.GetRawText() + ""","error":{"code":-32601,"message":"Method not found"}}""");
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("jsonrpc", "2.0");
            json.WritePropertyName("id");
            id.WriteTo(json);
            json.WritePropertyName("result");
            json.WriteStartObject();
            switch (method)
            {
                case "initialize":
                    context.Response.Headers["Mcp-Session-Id"] = Session;
                    json.WriteString("protocolVersion", "2025-11-25");
                    json.WriteStartObject("capabilities");
                    json.WriteStartObject("tools");
                    json.WriteEndObject();
                    json.WriteEndObject();
                    json.WriteStartObject("serverInfo");
                    json.WriteString("name", "canned-upstream");
                    json.WriteString("version", "1.0.0");
                    json.WriteEndObject();
                    break;
                case "server/discover":
                    json.WriteStartArray("supportedVersions");
                    json.WriteStringValue("2026-07-28");
                    json.WriteStringValue("2025-11-25");
                    json.WriteEndArray();
                    json.WriteStartObject("capabilities");
                    json.WriteStartObject("tools");
                    json.WriteEndObject();
                    json.WriteEndObject();
                    break;
                case "tools/list":
                    json.WriteStartArray("tools");
                    json.WriteStartObject();
                    json.WriteString("name", "echo");
                    json.WriteString("description", "Returns its text.");
                    json.WritePropertyName("inputSchema");
                    json.WriteRawValue("""{"type":"object","properties":{"text":{"type":"string"}}}""");
                    json.WritePropertyName("annotations");
                    json.WriteRawValue("""{"readOnlyHint":true}""");
                    json.WriteEndObject();
                    json.WriteEndArray();
                    break;
                case "tools/call":
                    var parameters = root.GetProperty("params");
                    var text = parameters.TryGetProperty("arguments", out var arguments) && arguments.TryGetProperty("text", out var given) ? given.GetString() : "";
                    json.WriteStartArray("content");
                    json.WriteStartObject();
                    json.WriteString("type", "text");
                    json.WriteString("text", text);
                    json.WriteEndObject();
                    json.WriteEndArray();
                    break;
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }
}
