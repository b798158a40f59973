using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// A real MCP server (the C# SDK over streamable HTTP, on a Kestrel socket on 127.0.0.1) whose tools the test
/// changes at will: add, reword, remove. It pages <c>tools/list</c> and remembers the headers it received.
/// </summary>
public sealed class UpstreamServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Tool> _tools = new(StringComparer.Ordinal);

    private UpstreamServer(WebApplication app) => _app = app;

    /// <summary>The revision of upstream sessions (initialize, <c>Mcp-Session-Id</c>): tests of what sessions do pin the server to it.</summary>
    public const string SessionRevision = "2025-11-25";

    public string Url { get; private set; } = "";

    public int PageSize { get; set; } = 10;

    /// <summary>How calls are answered; by default with "called &lt;tool&gt;".</summary>
    public Func<RequestContext<CallToolRequestParams>, CancellationToken, ValueTask<CallToolResult>>? OnCall { get; set; }

    /// <summary>Raised when a client closes its MCP session (HTTP DELETE).</summary>
    public event Action? SessionClosed;

    /// <summary>While set, every request is answered with this redirect instead.</summary>
    public (int Status, string Location)? Redirect { get; set; }

    /// <summary>While set, a tools/list waits for it to complete before it answers (a discovery held in progress).</summary>
    public Task? ListGate { get; set; }

    /// <summary>Headers of every request received, newest last.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Requests { get; } = new();

    /// <summary>
    /// Starts the server; with <paramref name="resourcesAndPrompts"/>, it also offers the resource <c>memo://greeting</c>
    /// and the prompt <c>greet</c>. It speaks every revision the SDK does (2026-07-28 to a client that asks with
    /// <c>server/discover</c>), or only <paramref name="revision"/>.
    /// </summary>
    public static async Task<UpstreamServer> StartAsync(bool resourcesAndPrompts = false, string? revision = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        UpstreamServer? server = null;
        var mcp = builder.Services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "test-upstream", Version = "1.0.0" };
                options.ProtocolVersion = revision;
            })
            .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.StatefulForInitializeClients)
            .WithListToolsHandler(async (request, cancellationToken) =>
            {
                if (server!.ListGate is { } gate)
                {
                    await gate.WaitAsync(cancellationToken);
                }

                return server.Page(request.Params?.Cursor);
            })
            .WithCallToolHandler((request, cancellationToken) => server!.OnCall is { } onCall
                ? onCall(request, cancellationToken)
                : ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = $"called {request.Params!.Name}" }] }));
        if (resourcesAndPrompts)
        {
            OfferResourcesAndPrompts(mcp);
        }

        var app = builder.Build();
        server = new UpstreamServer(app);
        app.Use((context, next) =>
        {
            server.Requests.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            if (server.Redirect is var (status, location))
            {
                context.Response.StatusCode = status;
                context.Response.Headers.Location = location;
                return Task.CompletedTask;
            }

            if (HttpMethods.IsDelete(context.Request.Method))
            {
                server.SessionClosed?.Invoke();
            }

            return next(context);
        });
        app.MapMcp("/mcp");
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/mcp";
        return server;
    }

    public void Set(string name, string description, string schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}", ToolAnnotations? annotations = null) =>
        _tools[name] = new Tool { Name = name, Description = description, InputSchema = JsonDocument.Parse(schema).RootElement.Clone(), Annotations = annotations };

    public void Remove(string name) => _tools.TryRemove(name, out _);

    private ListToolsResult Page(string? cursor)
    {
        var all = _tools.Values.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var start = string.IsNullOrEmpty(cursor) ? 0 : int.Parse(cursor, System.Globalization.CultureInfo.InvariantCulture);
        var page = all.Skip(start).Take(PageSize).ToList();
        var next = start + page.Count;
        return new ListToolsResult { Tools = page, NextCursor = next < all.Count ? next.ToString(System.Globalization.CultureInfo.InvariantCulture) : null };
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static void OfferResourcesAndPrompts(IMcpServerBuilder mcp) => mcp
        .WithListResourcesHandler((_, _) => ValueTask.FromResult(new ListResourcesResult { Resources = [new Resource { Uri = "memo://greeting", Name = "greeting" }] }))
        .WithReadResourceHandler((request, _) => request.Params!.Uri == "memo://greeting"
            ? ValueTask.FromResult(new ReadResourceResult { Contents = [new TextResourceContents { Uri = "memo://greeting", Text = "hello" }], CacheScope = CacheScope.Public, TimeToLive = TimeSpan.FromHours(1) })
            : throw new McpProtocolException($"No resource {request.Params.Uri}.", McpErrorCode.ResourceNotFound))
        .WithListPromptsHandler((_, _) => ValueTask.FromResult(new ListPromptsResult { Prompts = [new Prompt { Name = "greet", Arguments = [new PromptArgument { Name = "name" }] }] }))
        .WithGetPromptHandler((request, _) => ValueTask.FromResult(new GetPromptResult
        {
            Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = $"Greet {request.Params!.Arguments?["name"].GetString()}." } }],
        }));
}
