using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shield.Tests.Infrastructure;

/// <summary>A child process a test started; disposing kills it and everything it started.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiting = [];

    internal ChildProcess(Process process, string url)
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

    public async Task WaitForOutputAsync(string text, CancellationToken cancellationToken, TimeSpan? timeout = null)
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

        var first = await Task.WhenAny(seen.Task, _exited.Task).WaitAsync(timeout ?? TimeSpan.FromSeconds(30), cancellationToken);
        if (first == _exited.Task)
        {
            // It may have printed the text just before it exited: its last lines are read once it has.
            await _process.WaitForExitAsync(cancellationToken);
        }

        if (!seen.Task.IsCompleted)
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

    /// <summary>A free TCP port on 127.0.0.1 for a child process to listen on.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a process to its end; returns its exit code and output. Killed if it outlives the timeout.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(ProcessStartInfo start, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start)!;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
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
