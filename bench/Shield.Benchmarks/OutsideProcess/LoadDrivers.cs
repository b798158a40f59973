using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Shield.Benchmarks.OutsideProcess;

/// <summary>One measured round of a driver: its calls, how long they took, their latency, and the driver's own CPU.</summary>
internal sealed record Round(int Calls, double Seconds, double P50, double P99, TimeSpan DriverCpu);

/// <summary>
/// Clients on their own MCP sessions, warmed up when made, each session making its calls one after another and all
/// sessions at once in each round. A round calls its <c>starting</c> just before its first call.
/// </summary>
internal interface ILoadDriver : IAsyncDisposable
{
    Task<Round> RoundAsync(Action starting);
}

/// <summary>The MCP C# SDK client, in the benchmark's own process (which then runs nothing else).</summary>
internal sealed class CSharpDriver(McpClient[] clients, string tool, int calls) : ILoadDriver
{
    private static readonly Dictionary<string, object?> Arguments = new() { ["text"] = new string('x', 1024) };

    /// <param name="urls">Where the sessions connect, in turn (the instances of a cluster, or one).</param>
    /// <param name="revision">The MCP revision the clients speak.</param>
    public static async Task<CSharpDriver> StartAsync(IReadOnlyList<string> urls, string tool, IReadOnlyList<string?> tokens, int calls, TimeSpan warmUp, string revision = "2025-11-25")
    {
        var clients = await Task.WhenAll(tokens.Select((token, i) =>
        {
            Dictionary<string, string> headers = new() { ["X-Forwarded-Proto"] = "https" };
            if (token is not null)
            {
                headers["Authorization"] = "Bearer " + token;
            }

            return RelayLoad.ConnectAsync(urls[i % urls.Count], headers, revision);
        }));
        var driver = new CSharpDriver(clients, tool, calls);
        var warm = Stopwatch.GetTimestamp();
        do
        {
            await driver.DriveAsync(Math.Max(10, calls / 10), null);
        }
        while (Stopwatch.GetElapsedTime(warm) < warmUp);

        return driver;
    }

    public async Task<Round> RoundAsync(Action starting)
    {
        var latencies = new double[clients.Length * calls];
        starting();
        var (started, cpu) = (Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime);
        await DriveAsync(calls, latencies);
        var (elapsed, used) = (Stopwatch.GetElapsedTime(started), Environment.CpuUsage.TotalTime - cpu);
        Array.Sort(latencies);
        return new Round(latencies.Length, elapsed.TotalSeconds, RelayLoad.Percentile(latencies, 0.50), RelayLoad.Percentile(latencies, 0.99), used);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    private Task DriveAsync(int each, double[]? latencies) => Task.WhenAll(clients.Select((client, c) => Task.Run(async () =>
    {
        for (var i = 0; i < each; i++)
        {
            var begun = Stopwatch.GetTimestamp();
            var result = await client.CallToolAsync(tool, Arguments);
            if (latencies is not null)
            {
                latencies[(c * each) + i] = Stopwatch.GetElapsedTime(begun).TotalMilliseconds;
            }

            if (result.IsError == true || result.Content is not [TextContentBlock { Text.Length: 1024 }])
            {
                throw new InvalidOperationException($"{tool} did not echo its text.");
            }
        }
    })));
}

/// <summary>
/// The TypeScript SDK client (<c>tools/mcp-node/relay-load.mjs</c> on the Node 22 that package installs), in a process
/// of its own: it reports its latencies and its own CPU time per round.
/// </summary>
internal sealed class NodeDriver(ChildApp node) : ILoadDriver
{
    public static async Task<NodeDriver> StartAsync(string repository, string url, string tool, IReadOnlyList<string?> tokens, int calls, int rounds, TimeSpan warmUp)
    {
        var tools = Path.Combine(repository, "tools", "mcp-node");
        var binary = Path.Combine(tools, "node_modules", ".bin", "node");
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"The TypeScript client is not installed: run npm ci --prefix tools/mcp-node (no {binary}).");
        }

        var node = ChildApp.Start(binary,
            [Path.Combine(tools, "relay-load.mjs"), url, tool, $"{tokens.Count}", $"{calls}", $"{rounds}", $"{(int)warmUp.TotalSeconds}"], tools,
            new Dictionary<string, string> { ["SHIELD_TOKENS"] = string.Join(',', tokens.Where(t => t is not null)) }, input: true);
        await node.WaitForAsync("ready", warmUp + TimeSpan.FromMinutes(2));
        return new NodeDriver(node);
    }

    private bool _waitForReady;

    public async Task<Round> RoundAsync(Action starting)
    {
        if (_waitForReady)
        {
            await node.WaitForAsync("ready", TimeSpan.FromMinutes(1));
        }

        _waitForReady = true;
        starting();
        await node.SendLineAsync("go");
        var result = JsonDocument.Parse(await node.WaitForAsync("{\"calls\"", TimeSpan.FromMinutes(10))).RootElement;
        return new Round(result.GetProperty("calls").GetInt32(), result.GetProperty("seconds").GetDouble(), result.GetProperty("p50").GetDouble(),
            result.GetProperty("p99").GetDouble(), TimeSpan.FromMicroseconds(result.GetProperty("cpuMicros").GetDouble()));
    }

    public ValueTask DisposeAsync() => node.DisposeAsync();
}
