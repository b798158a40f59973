using System.Diagnostics;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// A Redis server from Debian's <c>redis-server</c> package, a foreground child process listening on a free port of
/// 127.0.0.1 with a temporary folder of its own and nothing saved (<c>--save ""</c>, <c>--appendonly no</c>); stopped
/// and its folder removed on disposal. It runs under a shell that waits on a pipe only the test process holds open, so
/// it stops however the test process ends.
/// </summary>
/// <param name="port">The port to listen on (one a Shield was already told of); a free one when null.</param>
public sealed class RedisServer(int? port = null) : IAsyncLifetime
{
    private const string Program = "/usr/bin/redis-server";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30); // a guard against a hang, not a measurement

    private ChildProcess? _process;
    private Process? _shell;
    private string _folder = "";

    public int Port { get; private set; }

    /// <summary>The connection string Shield takes (<c>ConnectionStrings:Redis</c>).</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException("Redis is not installed: the cluster tests need Debian's redis-server package (apt-get install redis-server; .ci/run installs it).");
        }

        _folder = Directory.CreateTempSubdirectory("shield-redis-").FullName;
        Port = port ?? ChildProcess.FreePort();
        const string Script = "\"$0\" \"$@\" & server=$!; cat >/dev/null; kill $server; wait $server";
        var start = new ProcessStartInfo("sh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        foreach (var argument in new[]
        {
            "-c", Script, Program, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--dir", _folder, "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
        })
        {
            start.ArgumentList.Add(argument);
        }

        _shell = Process.Start(start) ?? throw new InvalidOperationException("redis-server could not be started.");
        _process = new ChildProcess(_shell, ConnectionString);
        await _process.WaitForOutputAsync("Ready to accept connections", TestContext.Current.CancellationToken, Bound);
    }

    public async ValueTask DisposeAsync()
    {
        if (_shell is not null)
        {
            // Closing the pipe ends the shell's wait: it stops the server.
            _shell.StandardInput.Close();
            await _shell.WaitForExitAsync(CancellationToken.None).WaitAsync(Bound, CancellationToken.None);
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Never fail a test over cleanup.
        }
    }
}
