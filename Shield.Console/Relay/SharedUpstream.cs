using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Shield.Console.Relay;

/// <summary>
/// One upstream MCP session of a server, shared by the agent sessions whose clients declared no capabilities and asked
/// for nothing session-bound (a logging level, a resource subscription). Nothing the upstream sends on it can then be
/// meant for one agent alone, except progress: each request's progress token is replaced by one of Shield's own, so two
/// agents using the same token never see each other's progress, and an agent's token never reaches the upstream.
/// List changes go to every agent session sharing it; log messages and resource updates (which no sharer asked for)
/// go nowhere. Once replaced (the server's registration changed, or the session failed) it closes when its last
/// request ends, and no sooner than <see cref="RetireGrace"/> after. A client of the stateless revision gets one of its
/// own per server for its Shield session (<see cref="Session"/>): its requests come one by one, each as a relay session
/// of its own, and the upstream session outlives them, routing each request's progress to that request.
/// </summary>
public sealed class SharedUpstream(string server, (Guid Id, DateTime UpdatedAtUtc) registration, Guid? session = null)
{
    /// <summary>How long a replaced session stays open at least, for requests that took it just before it was replaced.</summary>
    public static readonly TimeSpan RetireGrace = TimeSpan.FromMinutes(1);

    private static long s_nextToken;
    private readonly ConcurrentDictionary<string, (McpServer Caller, JsonNode Token)> _progress = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<RelaySession, byte> _sharers = new();
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _closedSource = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private volatile State _state = State.Open; // changed under _lock
    private ITimer? _grace;

    /// <summary>Where it is in its life: each step only ever follows the one before it.</summary>
    private enum State
    {
        /// <summary>Takes requests.</summary>
        Open,

        /// <summary>Replaced: takes no new requests, and stays open at least until <see cref="RetireGrace"/> has passed.</summary>
        Retired,

        /// <summary>Replaced and its grace over: closes when its last request in flight ends.</summary>
        Draining,

        /// <summary>Closed (or closing) for good.</summary>
        Closed,
    }

    public string Server { get; } = server;

    /// <summary>The Shield session it belongs to, when it is one stateless client's; null when agents share it.</summary>
    public Guid? Session { get; } = session;

    /// <summary>Its place among the relay's upstream sessions: the server, and the Shield session when it is one.</summary>
    public string Key { get; } = session is { } owner ? $"{server}/{owner:N}" : server;

    /// <summary>The registration it was opened for: a changed server gets a new session.</summary>
    public (Guid Id, DateTime UpdatedAtUtc) Registration { get; } = registration;

    /// <summary>The revision it was opened to speak (the server's recorded one): a server found speaking another gets a new session.</summary>
    public string? Revision { get; init; }

    /// <summary>The upstream session, opened by the first agent session that needs it.</summary>
    public required Lazy<Task<McpClient>> Client { get; init; }

    /// <summary>Whether the session is up (or still opening) and may take requests.</summary>
    public bool IsUsable => _state == State.Open && (!Client.IsValueCreated || Client.Value is { IsFaulted: false, IsCanceled: false } task &&
        (!task.IsCompleted || !task.Result.Completion.IsCompleted));

    /// <summary>Completes once it is closed.</summary>
    public Task Closed => _closedSource.Task;

    /// <summary>Closed for good: a client that finishes opening now must be closed at once.</summary>
    public bool IsClosed => _state == State.Closed;

    public bool Holds(McpClient client) => Client.IsValueCreated && Client.Value.IsCompletedSuccessfully && ReferenceEquals(Client.Value.Result, client);

    public void Join(RelaySession relay) => _sharers.TryAdd(relay, 0);

    public void Leave(RelaySession relay) => _sharers.TryRemove(relay, out _);

    /// <summary>
    /// A request's <c>_meta</c> as it goes on through this session, with its progress token replaced by Shield's own
    /// and routed back to <paramref name="caller"/> until the returned hop is disposed.
    /// </summary>
    public UpstreamHop Onward(JsonObject? meta, McpServer caller)
    {
        lock (_lock)
        {
            _inFlight++;
        }

        var onward = HopMeta.Onward(meta);
        if (onward?["progressToken"] is not { } token)
        {
            return new UpstreamHop(onward, this, null);
        }

        var own = "shield-progress-" + Interlocked.Increment(ref s_nextToken).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _progress[own] = (caller, token.DeepClone());
        onward = (JsonObject)onward.DeepClone();
        onward["progressToken"] = own;
        return new UpstreamHop(onward, this, own);
    }

    internal void Done(string? token)
    {
        if (token is not null)
        {
            _progress.TryRemove(token, out _);
        }

        bool close;
        lock (_lock)
        {
            _inFlight--;
            close = _state == State.Draining && _inFlight == 0;
            if (close)
            {
                _state = State.Closed;
            }
        }

        if (close)
        {
            _ = DisposeClientAsync();
        }
    }

    /// <summary>No new requests: it closes once those in flight have ended, and not before <see cref="RetireGrace"/> has passed.</summary>
    public void Retire(TimeProvider time)
    {
        lock (_lock)
        {
            if (_state != State.Open)
            {
                return;
            }

            _state = State.Retired;
            _grace = time.CreateTimer(_ => GraceOver(), null, RetireGrace, Timeout.InfiniteTimeSpan);
        }
    }

    private void GraceOver()
    {
        bool close;
        lock (_lock)
        {
            if (_state != State.Retired)
            {
                return;
            }

            close = _inFlight == 0;
            _state = close ? State.Closed : State.Draining;
        }

        if (close)
        {
            _ = DisposeClientAsync();
        }
    }

    /// <summary>What the shared session does with the upstream's notifications.</summary>
    public IEnumerable<KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>> NotificationHandlers() =>
    [
        new(NotificationMethods.ProgressNotification, ProgressAsync),
        .. new[] { NotificationMethods.ToolListChangedNotification, NotificationMethods.PromptListChangedNotification, NotificationMethods.ResourceListChangedNotification }
            .Select(method => new KeyValuePair<string, Func<JsonRpcNotification, CancellationToken, ValueTask>>(method, BroadcastAsync)),
    ];

    /// <summary>Closes it now, whatever is in flight (Shield is stopping).</summary>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            if (_state == State.Closed)
            {
                return Task.CompletedTask;
            }

            _state = State.Closed;
        }

        return DisposeClientAsync();
    }

    private async Task DisposeClientAsync()
    {
        _grace?.Dispose();
        try
        {
            if (Client.IsValueCreated) // one that finishes opening later sees IsClosed and closes itself
            {
                await (await Client.Value).DisposeAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // It never opened, or the upstream is already gone: nothing left to close.
        }
        finally
        {
            _closedSource.TrySetResult();
        }
    }

    private async ValueTask ProgressAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        // Only tokens Shield handed out are routed; anything else has no agent to go to.
        if (notification.Params?["progressToken"] is { } value && value.GetValueKind() == JsonValueKind.String &&
            _progress.TryGetValue(value.GetValue<string>(), out var route) && notification.Params.DeepClone() is JsonObject parameters)
        {
            parameters["progressToken"] = route.Token.DeepClone();
            await SendAsync(route.Caller, notification.Method, parameters, cancellationToken);
        }
    }

    private async ValueTask BroadcastAsync(JsonRpcNotification notification, CancellationToken cancellationToken)
    {
        foreach (var relay in _sharers.Keys)
        {
            await SendAsync(relay.Server, notification.Method, notification.Params?.DeepClone(), cancellationToken);
        }
    }

    private static async ValueTask SendAsync(McpServer? destination, string method, JsonNode? parameters, CancellationToken cancellationToken)
    {
        if (destination is null)
        {
            return;
        }

        try
        {
            await destination.SendMessageAsync(new JsonRpcNotification { Method = method, Params = parameters }, cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The agent went away; the notification has nowhere else to go.
        }
    }
}

/// <summary>One request's way through an upstream session: its <c>_meta</c> as sent, and its routes, removed when disposed.</summary>
public readonly struct UpstreamHop(JsonObject? meta, SharedUpstream? shared, string? token) : IDisposable
{
    public JsonObject? Meta { get; } = meta;

    public void Dispose() => shared?.Done(token);
}
