using System.Diagnostics;

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
    public static Task<ChildProcess> StartEverythingOverHttpAsync(CancellationToken cancellationToken) =>
        StartHttpServerAsync(["--require", "./loopback.cjs", EverythingServer, "streamableHttp"], cancellationToken);

    /// <summary>The conformance suite's upstream fixture (conformance-fixture.mjs), on a free loopback port.</summary>
    public static Task<ChildProcess> StartConformanceFixtureAsync(CancellationToken cancellationToken) =>
        StartHttpServerAsync(["conformance-fixture.mjs"], cancellationToken);

    /// <summary>Runs the official MCP conformance suite's server scenarios against a URL; returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> ConformanceAsync(string url, string? expectedFailures, CancellationToken cancellationToken) =>
        RunAsync(Path.Combine("node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js"),
            ["server", "--url", url, .. expectedFailures is null ? Array.Empty<string>() : ["--expected-failures", expectedFailures]],
            new Dictionary<string, string>(), cancellationToken, node: Path.Combine(Folder, "node_modules", ".bin", "node"), timeout: TimeSpan.FromMinutes(4));

    private static async Task<ChildProcess> StartHttpServerAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var port = ChildProcess.FreePort();
        var start = StartInfo("node", arguments, new Dictionary<string, string> { ["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var process = new ChildProcess(Process.Start(start)!, $"http://127.0.0.1:{port}/mcp");
        await process.WaitForOutputAsync("listening", cancellationToken);
        return process;
    }

    /// <summary>Runs a script of the tools package to its end; returns its exit code and output. Killed if it outlives the timeout.</summary>
    public static Task<(int ExitCode, string Output, string Errors)> RunAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment,
        CancellationToken cancellationToken, string node = "node", TimeSpan? timeout = null) =>
        ChildProcess.RunAsync(StartInfo(node, [script, .. arguments], environment), timeout ?? TimeSpan.FromSeconds(60), cancellationToken);

    /// <summary>Starts a script of the tools package and returns at once, so a test can await its output line by line.</summary>
    public static ChildProcess Start(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        new(Process.Start(StartInfo("node", [script, .. arguments], environment))!, "");

    private static ProcessStartInfo StartInfo(string node, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(node)
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

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
