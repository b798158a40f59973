using System.Diagnostics;
using System.Globalization;

namespace Shield.Benchmarks.OutsideProcess;

/// <summary>
/// A process the benchmark started (Shield, the upstream, the TypeScript driver): its output lines as they come, its
/// CPU time and resident memory as Linux counts them (<c>/proc/&lt;pid&gt;/stat</c> and <c>status</c>). Disposing
/// kills it and its children. <c>SHIELD_BENCH_LOG=&lt;file&gt;</c> keeps every line they print, for a profile's questions.
/// </summary>
internal sealed class ChildApp : IAsyncDisposable
{
    private static readonly double TicksPerSecond = ClockTicks();
    private static readonly StreamWriter? Log = Environment.GetEnvironmentVariable("SHIELD_BENCH_LOG") is { Length: > 0 } path
        ? new StreamWriter(path, append: true) { AutoFlush = true }
        : null;
    private readonly Process _process;
    private readonly System.Threading.Channels.Channel<string> _lines = System.Threading.Channels.Channel.CreateUnbounded<string>();
    private readonly List<string> _tail = [];

    private ChildApp(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, line) => Seen(line.Data);
        process.ErrorDataReceived += (_, line) => Seen(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public static ChildApp Start(string file, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string>? environment = null, bool input = false)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new ChildApp(Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start."));
    }

    /// <summary>The first line that contains <paramref name="text"/>; fails if the process ends or the time runs out first.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cancel.Token);
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            lock (_tail)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} never printed '{text}'. Its last lines: {string.Join(" | ", _tail)}");
            }
        }
    }

    /// <summary>Waits for the process to end by itself; its exit code.</summary>
    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>The last lines it printed.</summary>
    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>User plus system CPU time the process has used so far.</summary>
    public TimeSpan Cpu()
    {
        // Fields after the command name (which may hold spaces, in parentheses): utime and stime are the 14th and 15th.
        var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    /// <summary>Resident memory, in bytes.</summary>
    public long Resident()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
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

    private void Seen(string? line)
    {
        if (line is null)
        {
            _lines.Writer.TryComplete();
            return;
        }

        lock (_tail)
        {
            Log?.WriteLine($"{_process.Id}: {line}");
            _tail.Add(line);
            if (_tail.Count > 20)
            {
                _tail.RemoveAt(0);
            }
        }

        _lines.Writer.TryWrite(line);
    }

    // USER_HZ: 100 on every Linux this runs on; getconf says so where it is found.
    private static double ClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var text = getconf.StandardOutput.ReadToEnd();
            getconf.WaitForExit();
            return double.Parse(text.Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException)
        {
            return 100;
        }
    }
}
