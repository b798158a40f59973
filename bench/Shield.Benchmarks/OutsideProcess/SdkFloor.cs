using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Shield.Benchmarks.OutsideProcess;

/// <summary>
/// What the MCP C# SDK alone costs, measured as <see cref="OutsideRelayLoad"/> measures Shield: the least a relay built on
/// the SDK's server and client can spend per call on these cores, before it governs or records anything. Two processes
/// of the benchmark's own, each started with Shield's runtime settings (server GC, thread-pool threads that do not spin):
/// <list type="bullet">
/// <item><b>SDK server</b>: the SDK's streamable HTTP server, stateful as Shield's downstream endpoint is for 2025-11-25
/// clients, answering <c>echo</c> itself: Shield's first hop with nothing behind it.</item>
/// <item><b>SDK relay</b>: the same server whose <c>echo</c> sends the call on through an SDK client, one upstream session
/// per agent session as Shield opens them by default, to the canned upstream: both of Shield's hops, and nothing else.</item>
/// </list>
/// Each is driven by the same clients as Shield, and its process's CPU per call read the same way.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- relay-floor [callsPerRound] [rounds] [sessions...]
/// (defaults 3000 3 1 16). The children: sdk-floor server | sdk-floor relay &lt;upstream url&gt;.
/// </summary>
internal static class SdkFloor
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(30);

    private static readonly Tool Echo = new()
    {
        Name = "echo",
        Description = "Returns its text.",
        InputSchema = JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}}}""").RootElement.Clone(),
        Annotations = new ToolAnnotations { ReadOnlyHint = true },
    };

    public static async Task RunAsync(int callsPerRound, int rounds, int[] sessionCounts)
    {
        await using var bench = await OutsideRelayLoad.BenchProcesses.StartAsync();
        await using var server = await StartAsync(bench, "server");
        await using var relay = await StartAsync(bench, "relay", bench.UpstreamUrl);
        List<string> rows = [];
        foreach (var sessions in sessionCounts)
        {
            var each = Math.Max(20, callsPerRound / sessions);
            foreach (var client in new[] { OutsideRelayLoad.CSharp, OutsideRelayLoad.TypeScript })
            {
                System.Console.WriteLine($"{client}, {sessions} sessions, {each} calls each, {rounds} rounds:");
                foreach (var (path, serving, url, tool) in new[]
                {
                    ("SDK server", server.App, server.Url, "echo"), ("SDK relay", relay.App, relay.Url, "echo"), ("Shield", bench.Shield.App, bench.Shield.Mcp, "bench__echo"),
                })
                {
                    List<string?> tokens = [];
                    for (var i = 0; i < sessions; i++)
                    {
                        tokens.Add(serving == bench.Shield.App ? await bench.Shield.MintAsync() : null);
                    }

                    var measured = await bench.MeasureAsync(client, url, tool, tokens, serving, each, rounds, TimeSpan.FromSeconds(5));
                    rows.Add($"| {client} | {sessions} | {path} | {OutsideRelayLoad.Range(measured.Select(m => m.Round.Calls / m.Round.Seconds), "N0")} | " +
                        $"{OutsideRelayLoad.Range(measured.Select(m => m.Round.P50), "0.00")} | {OutsideRelayLoad.Range(measured.Select(m => m.ServedMicros), "N0")} | " +
                        $"{OutsideRelayLoad.Range(measured.Select(m => m.UpstreamMicros), "N0")} | {OutsideRelayLoad.Range(measured.Select(m => m.DriverMicros), "N0")} |");
                    System.Console.WriteLine(rows[^1]);
                }
            }
        }

        System.Console.WriteLine();
        System.Console.WriteLine("| client | sessions | what answers | calls/s | p50 ms | its CPU µs/call | upstream CPU µs/call | driver CPU µs/call |");
        System.Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|");
        rows.ForEach(System.Console.WriteLine);
    }

    /// <summary>The child process: the SDK's server answering <c>echo</c> itself, or relaying it to <paramref name="upstream"/>.</summary>
    public static async Task ServeAsync(string? upstream)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        // By session: the server a handler is given may be a new object for each request.
        var clients = new ConcurrentDictionary<string, Lazy<Task<McpClient>>>(StringComparer.Ordinal);
        builder.Services.AddMcpServer(options => options.ServerInfo = new Implementation { Name = "sdk-floor", Version = "1.0.0" })
            .WithHttpTransport(options => options.SessionMode = HttpServerSessionMode.Stateful)
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [Echo] }))
            .WithCallToolHandler(async (request, cancellationToken) =>
            {
                if (upstream is null)
                {
                    var text = request.Params!.Arguments?.TryGetValue("text", out var given) == true ? given.GetString() : "";
                    return new CallToolResult { Content = [new TextContentBlock { Text = text ?? "" }] };
                }

                var client = await clients.GetOrAdd(request.Server.SessionId!, _ => new(() => McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
                {
                    Endpoint = new Uri(upstream),
                    TransportMode = HttpTransportMode.StreamableHttp,
                })))).Value;
                var response = await client.SendRequestAsync(new JsonRpcRequest
                {
                    Method = RequestMethods.ToolsCall,
                    Params = JsonSerializer.SerializeToNode(request.Params, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolRequestParams))),
                }, cancellationToken);
                return (CallToolResult?)response.Result.Deserialize(McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(CallToolResult)))
                    ?? throw new McpException("The upstream answered without a result.");
            });
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        System.Console.WriteLine("listening on " + app.Urls.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal) + "/mcp");
        await app.WaitForShutdownAsync();
    }

    private static async Task<Floor> StartAsync(OutsideRelayLoad.BenchProcesses bench, params string[] mode)
    {
        var app = ChildApp.Start("dotnet", [typeof(SdkFloor).Assembly.Location, "sdk-floor", .. mode], Path.GetTempPath(), new Dictionary<string, string>
        {
            // Shield.Console's runtimeconfig: server GC, and thread-pool threads that sleep at once (decision 21).
            ["DOTNET_gcServer"] = "1",
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        });
        var url = (await app.WaitForAsync("listening on ", TimeSpan.FromSeconds(30)))["listening on ".Length..];
        System.Console.WriteLine($"SDK {mode[0]} (pid {app.Id}) started; warming it up for {WarmUp.TotalSeconds:0} s");
        await bench.MeasureAsync(OutsideRelayLoad.CSharp, url, "echo", [.. Enumerable.Repeat<string?>(null, 16)], app, 100, 1, WarmUp);
        return new Floor(app, url);
    }

    private sealed record Floor(ChildApp App, string Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
