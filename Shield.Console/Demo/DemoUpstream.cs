using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol.Protocol;

namespace Shield.Console.Demo;

/// <summary>
/// The demo's MCP server, in this process on 127.0.0.1: a read-only customer lookup, a "send email" that only records the
/// message, and a "delete record" marked destructive that only records the request. Nothing leaves the machine.
/// </summary>
public sealed class DemoUpstream : IHostedService, IAsyncDisposable
{
    private static readonly Tool[] Tools =
    [
        Define("lookup_customer", "Look up a customer by id and return their name, plan and open invoices (demo data).",
            """{"type":"object","properties":{"customerId":{"type":"string","description":"For example C-1001"}},"required":["customerId"]}""",
            new ToolAnnotations { Title = "Look up a customer", ReadOnlyHint = true, OpenWorldHint = false }),
        Define("send_email", "Send an email to a customer. In the demo the message is only recorded, never sent.",
            """{"type":"object","properties":{"to":{"type":"string"},"subject":{"type":"string"},"body":{"type":"string"}},"required":["to","subject","body"]}""",
            new ToolAnnotations { Title = "Send an email", ReadOnlyHint = false, DestructiveHint = false, OpenWorldHint = true }),
        Define("delete_record", "Delete a customer record for good. In the demo the request is only recorded; nothing is deleted.",
            """{"type":"object","properties":{"customerId":{"type":"string"},"reason":{"type":"string"}},"required":["customerId"]}""",
            new ToolAnnotations { Title = "Delete a record", ReadOnlyHint = false, DestructiveHint = true }),
    ];

    private WebApplication? _app;

    /// <summary>The streamable HTTP endpoint, once started.</summary>
    public string Url { get; private set; } = "";

    /// <summary>What the demo tools were asked to do, newest last.</summary>
    public ConcurrentQueue<string> Recorded { get; } = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer(options => options.ServerInfo = new Implementation { Name = "shield-demo", Version = "1.0.0" })
            .WithHttpTransport(o => o.SessionMode = ModelContextProtocol.AspNetCore.HttpServerSessionMode.Stateful)
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [.. Tools] }))
            .WithCallToolHandler((request, _) => ValueTask.FromResult(Call(request.Params!.Name, request.Params.Arguments)));
        _app = builder.Build();
        _app.MapMcp("/mcp");
        await _app.StartAsync(cancellationToken);
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/mcp";
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private CallToolResult Call(string name, IDictionary<string, JsonElement>? arguments)
    {
        string Argument(string key) => arguments?.TryGetValue(key, out var value) == true ? value.ToString() : "";
        var text = name switch
        {
            "lookup_customer" => $"Customer {Argument("customerId")}: Ada Lovelace, plan Enterprise, 2 open invoices (INV-2026-11-07, INV-2026-11-19).",
            "send_email" => $"Recorded an email to {Argument("to")} with the subject \"{Argument("subject")}\" (demo: nothing was sent).",
            "delete_record" => $"Recorded the deletion of {Argument("customerId")} (demo: nothing was deleted).",
            _ => null,
        };
        if (text is null)
        {
            return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = $"The demo server has no tool {name}." }] };
        }

        Recorded.Enqueue($"{name}: {text}");
        return new CallToolResult { Content = [new TextContentBlock { Text = text }] };
    }

    private static Tool Define(string name, string description, string schema, ToolAnnotations annotations) => new()
    {
        Name = name,
        Description = description,
        InputSchema = JsonDocument.Parse(schema).RootElement.Clone(),
        Annotations = annotations,
    };
}
