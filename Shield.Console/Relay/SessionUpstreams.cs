using System.Collections.Concurrent;
using ModelContextProtocol.Client;

namespace Shield.Console.Relay;

/// <summary>
/// One agent session's own upstream MCP sessions, one per server, opened on first use and closed with the agent's
/// session; and the back-off of its own stdio servers (a process per session, so one agent crashing its process never
/// holds up another). Held for the session by <see cref="UpstreamLinks"/>, which alone opens and closes upstream sessions.
/// </summary>
internal sealed class SessionUpstreams : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<McpClient>>> _upstreams = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    /// <summary>The back-off of this session's own stdio servers, gone with the session.</summary>
    public ConcurrentDictionary<string, UpstreamBackoff> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>The upstream sessions already open.</summary>
    public IEnumerable<McpClient> Open =>
        _upstreams.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully).Select(l => l.Value.Result);

    /// <summary>The server's upstream session: the one open, or one opened now with <paramref name="connect"/>.</summary>
    /// <exception cref="ObjectDisposedException">The agent's session has ended.</exception>
    public Task<McpClient> GetAsync(string server, Func<Task<McpClient>> connect)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _upstreams.GetOrAdd(server, _ => new Lazy<Task<McpClient>>(connect));
        if (_disposed)
        {
            // The session ended while this call was starting: whatever was just added is closed with it.
            _ = DisposeAsync().AsTask();
            throw new ObjectDisposedException(nameof(SessionUpstreams));
        }

        var task = lazy.Value;
        // A failed or closed upstream session is opened again by the next call.
        if (task.IsFaulted || task.IsCanceled || (task.IsCompletedSuccessfully && task.Result.Completion.IsCompleted))
        {
            _upstreams.TryRemove(new KeyValuePair<string, Lazy<Task<McpClient>>>(server, lazy));
            if (task.IsCompletedSuccessfully)
            {
                _ = task.Result.DisposeAsync().AsTask();
            }

            lazy = _upstreams.GetOrAdd(server, _ => new Lazy<Task<McpClient>>(connect));
            task = lazy.Value;
        }

        return task;
    }

    /// <summary>
    /// Drops a server's upstream session after a call through it failed in transport, so the next use opens a new one.
    /// Only the session that failed: one opened since by another call stays.
    /// </summary>
    public void Forget(string server, McpClient? failed)
    {
        if (_upstreams.TryGetValue(server, out var lazy) && lazy.IsValueCreated &&
            (!lazy.Value.IsCompletedSuccessfully || ReferenceEquals(lazy.Value.Result, failed)) &&
            _upstreams.TryRemove(new KeyValuePair<string, Lazy<Task<McpClient>>>(server, lazy)) && lazy.Value.IsCompletedSuccessfully)
        {
            _ = lazy.Value.Result.DisposeAsync().AsTask();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var upstream in _upstreams.Values.Where(l => l.IsValueCreated))
        {
            try
            {
                await (await upstream.Value).DisposeAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Connecting failed or the upstream is already gone: nothing left to close.
            }
        }

        _upstreams.Clear();
    }
}
