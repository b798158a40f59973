using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// The npm packages in <c>tools/mcp-node</c> (installed by <c>npm ci</c>, which <c>.ci/run</c> does): real MCP servers
/// the tests run as child processes, always bound to 127.0.0.1 and killed when the test ends.
/// </summary>
public static class NodeTools
{
    public static string Folder => Repository.PathOf("tools", "mcp-node");

    /// <summary>The reference "everything" server's entry point.</summary>
    public static string EverythingServer
    {
        get
        {
            var path = Path.Combine(Folder, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: run 'npm ci' in tools/mcp-node (.ci/run does).");
        }
    }

    /// <summary>Starts the everything server over streamable HTTP on a free loopback port and waits until it listens.</summary>
    public static Task<NodeProcess> StartEverythingOverHttpAsync(CancellationToken cancellationToken) =>
        StartHttpServerAsync(["--require", "./loopback.cjs", EverythingServer, "streamableHttp"], cancellationToken);

    /// <summary>The conformance suite's upstream fixture (conformance-fixture.mjs), on a free loopback port.</summary>
    public static Task<NodeProcess> StartConformanceFixtureAsync(CancellationToken cancellationToken) =>
        StartHttpServerAsync(["conformance-fixture.mjs"], cancellationToken);

    /// <summary>Runs the official MCP conformance suite's server scenarios against a URL; returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> ConformanceAsync(string url, string? expectedFailures, CancellationToken cancellationToken) =>
        RunAsync(Path.Combine("node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"),
            ["server", "--url", url, .. expectedFailures is null ? Array.Empty<string>() : ["--expected-failures", expectedFailures]],
            new Dictionary<string, string>(), cancellationToken, node: Path.Combine(Folder, "node_modules", ".bin", "node"), timeout: TimeSpan.FromMinutes(4));

    private static async Task<NodeProcess> StartHttpServerAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var process = new NodeProcess(Process.Start(start)!, $"http://127.0.0.1:{port}/mcp");
        await process.WaitForOutputAsync("listening", cancellationToken);
        return process;
    }

    /// <summary>Runs a script of the tools package to its end; returns its exit code and output. Killed if it outlives the timeout.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken, string node = "node", TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = Folder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var errors = process.StandardError.ReadToEndAsync(limit.Token);
            await process.WaitForExitAsync(limit.Token);
            return (process.ExitCode, await output, await errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A child process a test started; disposing kills it and everything it started.</summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiting = [];

    internal NodeProcess(Process process, string url)
    {
        _process = process;
        Url = url;
        process.OutputDataReceived += (_, line) => Seen(line.Data);
        process.ErrorDataReceived += (_, line) => Seen(line.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => _exited.TrySetResult();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Url { get; }

    public async Task WaitForOutputAsync(string text, CancellationToken cancellationToken)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.Any(l => l.Contains(text, StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            _waiting.Add((text, seen));
        }

        var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (first == _exited.Task)
        {
            throw new InvalidOperationException($"The process exited before printing '{text}': {string.Join(" | ", _output)}");
        }
    }

    private void Seen(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            foreach (var waiter in _waiting.Where(w => line.Contains(w.Text, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiting.Remove(waiter);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
