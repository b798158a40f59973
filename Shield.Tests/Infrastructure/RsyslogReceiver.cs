using System.Diagnostics;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Debian's rsyslogd, started by the test in the foreground with its own configuration in a temporary folder: it takes
/// syslog over TCP on 127.0.0.1 (octet-counted framing, as RFC 6587 describes) and writes each message, as received, to
/// one line of a file. It can be killed and started again on the same port, as a receiver that goes away mid-stream.
/// </summary>
public sealed class RsyslogReceiver : IAsyncDisposable
{
    public const string Daemon = "/usr/sbin/rsyslogd";

    private readonly TempFolder _folder = new();
    private Process? _process;

    public RsyslogReceiver()
    {
        Port = ChildProcess.FreePort();
        File.WriteAllText(ConfigPath, $$"""
            global(workDirectory="{{_folder.Path}}" maxMessageSize="256k")
            module(load="imtcp")
            template(name="received" type="string" string="%rawmsg%\n")
            ruleset(name="shield") { action(type="omfile" file="{{OutputPath}}" template="received") }
            input(type="imtcp" address="127.0.0.1" port="{{Port}}" ruleset="shield")
            """);
        File.WriteAllText(OutputPath, "");
    }

    public int Port { get; }

    public string OutputPath => Path.Combine(_folder.Path, "received.log");

    private string ConfigPath => Path.Combine(_folder.Path, "rsyslog.conf");

    public void Start()
    {
        var start = new ProcessStartInfo(Daemon, ["-n", "-f", ConfigPath, "-i", Path.Combine(_folder.Path, "rsyslogd.pid")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Kills the receiver at once (SIGKILL): what it had taken but not yet written is lost, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    /// <summary>The messages written so far, one per line.</summary>
    public IReadOnlyList<SyslogLine> Lines()
    {
        using var reader = new StreamReader(new FileStream(OutputPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var text = reader.ReadToEnd();
        // A line still being written has no newline yet: leave it for the next read.
        return [.. text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(SyslogLine.Parse)];
    }

    /// <summary>Waits, on the file's change notifications, until the lines written satisfy <paramref name="done"/>.</summary>
    public async Task<IReadOnlyList<SyslogLine>> WaitForAsync(Func<IReadOnlyList<SyslogLine>, bool> done, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(_folder.Path, Path.GetFileName(OutputPath)) { NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size };
        watcher.Changed += (_, _) => changed.Release();
        watcher.EnableRaisingEvents = true;
        while (true)
        {
            var lines = Lines();
            if (done(lines))
            {
                return lines;
            }

            try
            {
                await changed.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The receiver did not get what the test waited for within 60 s; it has {lines.Count} line(s): {string.Join(" | ", lines.TakeLast(3).Select(l => l.Body))}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _folder.Dispose();
    }
}
