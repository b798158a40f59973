namespace Shield.Console.Approvals;

/// <summary>
/// The agent waiting for a call's verdict, and the signals that say it stopped waiting: its request aborted or its
/// connection closed, its cancel, its MCP session ended. The first signal to fire says why it left; from then on the
/// call can no longer be approved.
/// </summary>
public sealed class Requester : IDisposable
{
    private readonly CancellationTokenSource _gone = new();
    private readonly List<CancellationTokenRegistration> _signals = [];
    private string? _why;

    /// <summary>Cancelled the moment the agent stops waiting.</summary>
    public CancellationToken Gone => _gone.Token;

    /// <summary>Why the agent stopped waiting ("its connection closed"), or null while it waits.</summary>
    public string? Why => Volatile.Read(ref _why);

    /// <summary>The agent is gone when <paramref name="signal"/> fires (at once if it already has), for the reason given.</summary>
    public Requester GoneWhen(CancellationToken signal, string why)
    {
        _signals.Add(signal.Register(() => Leave(why)));
        return this;
    }

    /// <summary>The agent stopped waiting; only the first reason counts.</summary>
    public void Leave(string why)
    {
        if (Interlocked.CompareExchange(ref _why, why, null) is null)
        {
            _gone.Cancel();
        }
    }

    public void Dispose()
    {
        // Each registration waits for its running callback, so nothing cancels the source once it is disposed.
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }

        _gone.Dispose();
    }
}
