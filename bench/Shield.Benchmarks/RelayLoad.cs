using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Console.Agents;
using Shield.Console.Auditing;
using Shield.Console.Common;
using Shield.Console.Grants;
using Shield.Console.Hosting;
using Shield.Console.Registry;
using Shield.Core.Governance;
using Shield.Core.Grants;
using Shield.Core.Registry;

namespace Shield.Benchmarks;

/// <summary>
/// What the relay costs: N agents, each a C# SDK client on its own MCP session, call the echo tool (1 KB of text) of a fast
/// in-process upstream, first directly and then through Shield's <c>/mcp</c> with its own session token, each client one
/// call after another and all N at once. Shield runs as deployed: Production, a SQLite file, the audit trail on, behind a
/// proxy that ends TLS (X-Forwarded-Proto: https), since outside Development it accepts HTTPS only. After 15 s through the
/// relay, each level is first run unmeasured for at least 5 s. Between the two, the same clients call the upstream through
/// <see cref="BareProxy"/>, which governs and records nothing: the least any relay hop costs on the same cores. Reports calls/s, p50 and p99 latency and this process's
/// CPU time per call (clients, Shield and upstream share it, and the machine's cores), and what the relay adds.
/// Targets at 16 sessions: at most 0.5 ms added at p50 and 2 ms at p99; relayed throughput at least 50% of direct.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- relay-load [callsPerSession] [sessions...]
/// </summary>
public static class RelayLoad
{
    private static readonly Actor Bench = new(Actor.Person, "bench", "bench@shield.local");
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly Dictionary<string, object?> Arguments = new() { ["text"] = new string('x', 1024) };

    public static async Task RunAsync(int callsPerSession, int[] sessionCounts)
    {
        var folder = Directory.CreateTempSubdirectory("shield-bench-").FullName;
        await using var upstream = await StartUpstreamAsync();
        var shield = await StartShieldAsync(folder);
        await using var bare = await BareProxy.StartAsync(Address(upstream) + "/mcp");
        try
        {
            var (direct, root) = (Address(upstream) + "/mcp", Address(shield));
            var key = await RegisterAsync(shield.Services, direct);
            async Task<Dictionary<string, string>> RelayHeadersAsync() => new()
            {
                ["Authorization"] = "Bearer " + await MintAsync(root, key),
                ["X-Forwarded-Proto"] = "https",
            };

            // One session through the relay first, for 15 s: under load the tiered JIT settles slowly, with no core to spare.
            await LevelAsync(root + "/mcp", "bench__echo", 1, 100, RelayHeadersAsync, TimeSpan.FromSeconds(15));
            List<string> rows = [];
            foreach (var sessions in sessionCounts)
            {
                var calls = Math.Max(50, callsPerSession / sessions);
                System.Console.WriteLine($"{sessions} sessions, {calls} calls each ({sessions * calls:N0} in all), 1 KB of text per call:");
                var straight = await LevelAsync(direct, "echo", sessions, calls, () => Task.FromResult(new Dictionary<string, string>()), WarmUp);
                var proxied = await LevelAsync(Address(bare) + "/mcp", "echo", sessions, calls, () => Task.FromResult(new Dictionary<string, string>()), WarmUp);
                var relayed = await LevelAsync(root + "/mcp", "bench__echo", sessions, calls, RelayHeadersAsync, WarmUp);
                rows.Add(Report(sessions, straight, proxied, relayed));
            }

            var trail = await shield.Services.GetRequiredService<AuditVerifier>().VerifyAsync("benchmark");
            System.Console.WriteLine($"audit trail: {trail.RecordsChecked:N0} records, intact: {trail.Intact}");
            System.Console.WriteLine("| sessions | direct calls/s | direct p50 ms | direct p99 ms | relay calls/s | relay p50 ms | relay p99 ms | added p50 ms | added p99 ms | relay/direct | bare proxy calls/s | bare added p50 ms | bare/direct |");
            System.Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            rows.ForEach(System.Console.WriteLine);
        }
        finally
        {
            await shield.StopAsync();
            await shield.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>N clients on their own MCP sessions, warmed up, then each making <paramref name="calls"/> calls one after another, all at once.</summary>
    private static async Task<Level> LevelAsync(string url, string tool, int sessions, int calls, Func<Task<Dictionary<string, string>>> headers, TimeSpan warmUp)
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, sessions).Select(async _ => await ConnectAsync(url, await headers())));
        try
        {
            var warm = Stopwatch.GetTimestamp(); // unmeasured: connections and the relay's upstream sessions open, the JIT settles
            do
            {
                await DriveAsync(clients, tool, calls);
            }
            while (Stopwatch.GetElapsedTime(warm) < warmUp);

            return await DriveAsync(clients, tool, calls);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    internal static async Task<WebApplication> StartUpstreamAsync(Action? onCall = null)
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        var echo = new Tool
        {
            Name = "echo",
            Description = "Returns its text.",
            InputSchema = JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}}}""").RootElement.Clone(),
            Annotations = new ToolAnnotations { ReadOnlyHint = true },
        };
        builder.Services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = "bench-upstream", Version = "1.0.0" })
            .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.Stateful)
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = [echo] }))
            .WithCallToolHandler((request, _) =>
            {
                onCall?.Invoke();
                return ValueTask.FromResult(new CallToolResult
                {
                    Content = [new TextContentBlock { Text = request.Params!.Arguments!.TryGetValue("text", out var text) ? text.GetString() ?? "" : "" }],
                });
            });
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        return app;
    }

    internal static async Task<WebApplication> StartShieldAsync(string folder, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // Named as the console, whose static assets manifest is copied next to this program.
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production", "--applicationName", "Shield.Console"]);
        builder.Configuration["ConnectionStrings:Shield"] = $"Data Source={Path.Combine(folder, "shield.db")}";
        builder.Configuration["Shield:Bootstrap:AdminEmail"] = "admin@shield.local";
        builder.Configuration["Shield:Bootstrap:AdminPassword"] = "Bench-Passw0rd!!";
        builder.Configuration["ForwardedHeaders_Enabled"] = "true"; // as behind a proxy that ends TLS
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.Logging.ClearProviders();
        builder.AddShieldConsole();
        var app = builder.Build();
        app.UseShieldConsole();
        await app.StartAsync();
        return app;
    }

    internal static string Address(WebApplication app) => app.Urls.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);

    /// <summary>The upstream as server "bench" with echo approved at low risk, and the agent "bench-bot" granted it (allowed by default); returns its key.</summary>
    internal static async Task<string> RegisterAsync(IServiceProvider services, string url, GrantEffect effect = GrantEffect.Allow)
    {
        Ok(await services.GetRequiredService<ServerCatalog>().CreateAsync(
            new ServerInput("bench", null, null, "bench", true, ServerTransport.Http, url, null, null, null, null), Bench));
        await services.GetRequiredService<DiscoveryService>().DiscoverAsync("bench", Bench, CancellationToken.None);
        var review = services.GetRequiredService<ToolReview>();
        var echo = (await review.ListAsync()).Single(t => t.Server == "bench" && t.Name == "echo");
        Ok(await review.ApproveAsync(echo.Id, echo.Fingerprint, Bench));
        Ok(await review.SetRiskAsync(echo.Id, RiskLevel.Low, Bench));
        var agent = Ok(await services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("bench-bot", "Relay load", "bench@shield.local", [], true), Bench));
        Ok(await services.GetRequiredService<GrantBook>().AddAsync(new GrantInput(SubjectKind.Agent, "bench-bot", "bench", "echo", effect), Bench));
        return agent.Key;
    }

    internal static T Ok<T>(Result<T> result) where T : class => result.Value ?? throw new InvalidOperationException(result.Refusal!.Message);

    internal static async Task<string> MintAsync(string root, string key)
    {
        using var http = new HttpClient { BaseAddress = new Uri(root) };
        http.DefaultRequestHeaders.Add("Authorization", "Bearer " + key);
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var response = await http.PostAsJsonAsync("/api/sessions", new { task = "Relay load benchmark", tools = new[] { "bench__echo" }, ttlSeconds = 3600 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <param name="revision">The MCP revision the client speaks: 2025-11-25 (a session, opened by initialize) unless told otherwise.</param>
    internal static async Task<McpClient> ConnectAsync(string url, Dictionary<string, string> headers, string revision = "2025-11-25") => await McpClient.CreateAsync(
        new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(url), TransportMode = HttpTransportMode.StreamableHttp, AdditionalHeaders = headers }),
        new McpClientOptions { ProtocolVersion = revision });

    private static async Task<Level> DriveAsync(McpClient[] clients, string tool, int calls)
    {
        var latencies = new double[clients.Length * calls];
        var (started, cpu) = (Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime);
        await Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
        {
            for (var i = 0; i < calls; i++)
            {
                var begun = Stopwatch.GetTimestamp();
                var result = await client.CallToolAsync(tool, Arguments);
                latencies[(c * calls) + i] = Stopwatch.GetElapsedTime(begun).TotalMilliseconds;
                if (result.IsError == true || result.Content is not [TextContentBlock { Text.Length: 1024 }])
                {
                    throw new InvalidOperationException($"{tool} did not echo its text.");
                }
            }
        })));
        var (elapsed, cpuPerCall) = (Stopwatch.GetElapsedTime(started), (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / latencies.Length);
        Array.Sort(latencies);
        return new Level(latencies.Length / elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), cpuPerCall);
    }

    internal static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];

    private static string Report(int sessions, Level direct, Level bare, Level relay)
    {
        System.Console.WriteLine($"  bare proxy: {bare.CallsPerSecond,8:N0} calls/s, p50 {bare.P50:0.00} ms, p99 {bare.P99:0.00} ms, CPU {bare.CpuMilliseconds:0.00} ms/call; " +
            $"adds p50 {bare.P50 - direct.P50:+0.00;-0.00} ms, p99 {bare.P99 - direct.P99:+0.00;-0.00} ms; {bare.CallsPerSecond / direct.CallsPerSecond * 100:0.0}% of direct");
        var (p50, p99, ratio) = (relay.P50 - direct.P50, relay.P99 - direct.P99, relay.CallsPerSecond / direct.CallsPerSecond);
        System.Console.WriteLine($"  direct : {direct.CallsPerSecond,8:N0} calls/s, p50 {direct.P50:0.00} ms, p99 {direct.P99:0.00} ms, CPU {direct.CpuMilliseconds:0.00} ms/call");
        System.Console.WriteLine($"  relayed: {relay.CallsPerSecond,8:N0} calls/s, p50 {relay.P50:0.00} ms, p99 {relay.P99:0.00} ms, CPU {relay.CpuMilliseconds:0.00} ms/call");
        System.Console.WriteLine($"  added  : p50 {p50:+0.00;-0.00} ms (target ≤ 0.5 at 16 sessions{Verdict(sessions, p50 <= 0.5)}), " +
            $"p99 {p99:+0.00;-0.00} ms (target ≤ 2 at 16 sessions{Verdict(sessions, p99 <= 2)}); throughput {ratio * 100:0.0}% of direct (target ≥ 50%: {(ratio >= 0.5 ? "met" : "missed")})");
        return $"| {sessions} | {direct.CallsPerSecond:N0} | {direct.P50:0.00} | {direct.P99:0.00} | {relay.CallsPerSecond:N0} | {relay.P50:0.00} | {relay.P99:0.00} | {p50:+0.00;-0.00} | {p99:+0.00;-0.00} | {ratio * 100:0.0}% | {bare.CallsPerSecond:N0} | {bare.P50 - direct.P50:+0.00;-0.00} | {bare.CallsPerSecond / direct.CallsPerSecond * 100:0.0}% |";
    }

    private static string Verdict(int sessions, bool met) => sessions == 16 ? (met ? ": met" : ": missed") : "";

    private sealed record Level(double CallsPerSecond, double P50, double P99, double CpuMilliseconds);
}
