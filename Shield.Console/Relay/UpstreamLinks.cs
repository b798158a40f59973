// The relay speaks the 2025-11-25 revision to clients that initialize, so it passes on logging, sampling and roots,
// which the SDK marks obsolete for the revisions after it.
#pragma warning disable MCP9005

using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Console.Registry;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>
/// The one owner of upstream MCP sessions: it opens, holds, replaces and closes them. An agent session's own
/// (<see cref="SessionUpstreams"/>) declare its client's capabilities and hand the upstream's requests and notifications
/// back to that client (<see cref="UpstreamForwarding"/>); they close when <see cref="EndAsync"/> is told the agent's
/// session ended. A server that failed
/// to connect, or stopped by itself, is not tried again until its back-off has passed (doubling per failure in a row
/// until a call succeeds), so a crashed or unreachable server costs callers a clear error, not a wait, and never
/// affects another server. Sessions whose clients declared no capabilities share one upstream session to a server
/// registered with <see cref="RegisteredServer.ShareSessions"/> (<see cref="SharedUpstream"/>).
/// </summary>
public sealed partial class UpstreamLinks(UpstreamConnector connector, UpstreamErrors errors, IOptionsMonitor<RelayOptions> options, TimeProvider time, ILogger<UpstreamLinks> logger)
    : IAsyncDisposable
{
    // Failures of HTTP servers, which every session shares; a stdio server is a process per session, so its failures
    // are the session's own (RelaySession.Failures) and one agent crashing its process never holds up another.
    private readonly ConcurrentDictionary<string, UpstreamBackoff> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SharedUpstream> _shared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SharedUpstream, byte> _retired = new();
    private readonly ConcurrentDictionary<RelaySession, SessionUpstreams> _own = new();
    private volatile bool _disposed;

    // Which shared session each shared client belongs to, replaced or not: a request keeps its routes to the end.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<McpClient, SharedUpstream> _owners = [];

    /// <exception cref="UpstreamUnavailableException">The server is backing off, or could not be reached.</exception>
    public Task<McpClient> ClientAsync(RelaySession relay, RegisteredServer server, McpServer downstream, CancellationToken cancellationToken)
    {
        if (!server.ShareSessions || !relay.MayShare(downstream.ClientCapabilities))
        {
            return OwnOf(relay).GetAsync(server.Name, () => ConnectAsync(relay, server, downstream.ClientCapabilities, null));
        }

        var shared = SharedFor(server);
        shared.Join(relay);
        return shared.Client.Value;
    }

    /// <summary>The agent session's own upstream sessions already open.</summary>
    public IEnumerable<McpClient> OpenFor(RelaySession relay) => _own.TryGetValue(relay, out var own) ? own.Open : [];

    /// <summary>The agent's session ended: its own upstream sessions close (stdio processes among them), and it leaves the shared ones.</summary>
    public async Task EndAsync(RelaySession relay)
    {
        relay.Close();
        foreach (var shared in _shared.Values.Concat(_retired.Keys))
        {
            shared.Leave(relay);
        }

        if (_own.TryRemove(relay, out var own))
        {
            await own.DisposeAsync();
        }
    }

    /// <summary>A request's <c>_meta</c> as it goes on through <paramref name="client"/>; dispose the hop when the request ends.</summary>
    public UpstreamHop Onward(McpClient client, JsonObject? meta, McpServer caller) =>
        _owners.TryGetValue(client, out var shared) ? shared.Onward(meta, caller) : new UpstreamHop(HopMeta.Onward(meta), null, null);

    /// <summary>
    /// Drops an upstream session after a request through it failed in transport, so the next use opens a new one. An
    /// upstream that merely answered badly (its session still up) stays.
    /// </summary>
    public void Forget(RelaySession relay, string server, McpClient? failed, Exception error)
    {
        if (failed is not null && !failed.Completion.IsCompleted && error is JsonException)
        {
            return;
        }

        if (failed is not null && _owners.TryGetValue(failed, out var owner))
        {
            // One request's failure (a proxy's error page, say) does not cost every sharer its session: only a session
            // that closed, or that the upstream ended, is replaced.
            if ((failed.Completion.IsCompleted || UpstreamErrors.SessionGone(error)) && _shared.TryRemove(new KeyValuePair<string, SharedUpstream>(server, owner)))
            {
                Retire(owner);
            }

            return;
        }

        if (failed is null && _shared.TryGetValue(server, out var shared) && !shared.IsUsable && _shared.TryRemove(new KeyValuePair<string, SharedUpstream>(server, shared)))
        {
            Retire(shared);
        }

        if (_own.TryGetValue(relay, out var own))
        {
            own.Forget(server, failed);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var shared in _shared.Values.Concat(_retired.Keys))
        {
            await shared.CloseAsync();
        }

        foreach (var own in _own.Values)
        {
            await own.DisposeAsync();
        }

        _shared.Clear();
        _retired.Clear();
        _own.Clear();
    }

    // An agent session's own upstream sessions; none for a session that has ended (a call that started as it ended).
    private SessionUpstreams OwnOf(RelaySession relay)
    {
        var own = _own.GetOrAdd(relay, _ => new SessionUpstreams());
        if (relay.Closed.IsCancellationRequested || _disposed)
        {
            // EndAsync closes the session before it takes its upstreams away: one added after that is closed here.
            if (_own.TryRemove(new KeyValuePair<RelaySession, SessionUpstreams>(relay, own)))
            {
                _ = own.DisposeAsync().AsTask();
            }

            throw new UpstreamUnavailableException("The agent's MCP session has ended.");
        }

        return own;
    }

    private void Retire(SharedUpstream shared)
    {
        _retired.TryAdd(shared, 0);
        shared.Retire(time);
        _ = ForgetWhenClosedAsync(shared);
    }

    private async Task ForgetWhenClosedAsync(SharedUpstream shared)
    {
        await shared.Closed;
        _retired.TryRemove(shared, out _);
    }

    // The server's shared session, opened afresh when the registration changed or the session failed or closed.
    private SharedUpstream SharedFor(RegisteredServer server)
    {
        while (true)
        {
            if (_disposed)
            {
                throw new UpstreamUnavailableException($"The server {server.Name} is unavailable: Shield is stopping.");
            }

            if (_shared.TryGetValue(server.Name, out var current))
            {
                // A request that still holds an older registration uses the newer session rather than undo the change.
                if (current.IsUsable && (current.Registration == (server.Id, server.UpdatedAtUtc) || current.Registration.UpdatedAtUtc > server.UpdatedAtUtc))
                {
                    return current;
                }

                if (_shared.TryRemove(new KeyValuePair<string, SharedUpstream>(server.Name, current)))
                {
                    Retire(current);
                }

                continue;
            }

            SharedUpstream? fresh = null;
            fresh = new SharedUpstream(server.Name, (server.Id, server.UpdatedAtUtc))
            {
                Client = new Lazy<Task<McpClient>>(() => ConnectAsync(null, server, null, fresh)),
            };
            if (_shared.TryAdd(server.Name, fresh))
            {
                return fresh;
            }
        }
    }

    // Opens an upstream session: an agent session's own (declaring its client's capabilities), or a shared one.
    private async Task<McpClient> ConnectAsync(RelaySession? relay, RegisteredServer server, ClientCapabilities? capabilities, SharedUpstream? shared)
    {
        var settings = options.CurrentValue;
        var failures = FailuresOf(relay, server);
        if (failures.TryGetValue(server.Name, out var backoff) && time.GetUtcNow() < backoff.RetryAt)
        {
            throw new UpstreamUnavailableException(
                $"The server {server.Name} is unavailable ({backoff.Reason}); Shield tries it again after {backoff.RetryAt:HH:mm:ss} UTC.");
        }

        McpClient client;
        try
        {
            // Not the caller's token: the connection outlives the request that opened it.
            using var timeout = new CancellationTokenSource(settings.UpstreamConnectTimeout);
            client = await connector.ConnectAsync(server, settings.UpstreamConnectTimeout, settings.ResultCap, line => LogStandardError(server.Name, line), timeout.Token,
                o =>
                {
                    if (relay is null)
                    {
                        o.Capabilities = new ClientCapabilities();
                        o.Handlers.NotificationHandlers = shared!.NotificationHandlers();
                    }
                    else
                    {
                        UpstreamForwarding.Configure(o, relay, capabilities);
                    }
                });
        }
        catch (Exception e) when (e is not OutOfMemoryException and not UpstreamUnavailableException)
        {
            var reason = e is UpstreamException ? errors.Clean(e.Message, server) : $"it could not be reached: {errors.Describe(e, server)}";
            throw new UpstreamUnavailableException($"The server {server.Name} is unavailable: {Failed(failures, server.Name, reason, e)}", e);
        }

        if (relay?.LoggingLevel is { } level && client.ServerCapabilities.Logging is not null)
        {
            try
            {
                await client.SetLoggingLevelAsync(level);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The level the agent asked for is a preference: a server that refuses it still serves calls.
                LogFailed(server.Name, "it refused the logging level", 0, e);
            }
        }

        if (shared is not null)
        {
            _owners.AddOrUpdate(client, shared);
            if (shared.IsClosed)
            {
                // Replaced or stopped while it was opening: nobody else will close it.
                await client.DisposeAsync();
                throw new UpstreamUnavailableException($"The server {server.Name}'s connection was replaced while it opened; call again.");
            }
        }

        _ = WatchAsync(failures, server, client);
        return client;
    }

    /// <summary>A call through the server succeeded: it is healthy again, and the next failure waits the shortest time.</summary>
    public void Succeeded(RelaySession relay, RegisteredServer server, McpClient client)
    {
        var failures = _owners.TryGetValue(client, out _) || server.Transport != ServerTransport.Stdio ? _failures
            : _own.TryGetValue(relay, out var own) ? own.Failures : null;
        failures?.TryRemove(server.Name, out _);
    }

    // An HTTP server, or a shared session, is every agent's; an agent's own stdio process is its own.
    private ConcurrentDictionary<string, UpstreamBackoff> FailuresOf(RelaySession? relay, RegisteredServer server) =>
        relay is not null && server.Transport == ServerTransport.Stdio ? OwnOf(relay).Failures : _failures;

    /// <summary>Records a failure in a row and when the server may be tried again; returns the reason.</summary>
    private string Failed(ConcurrentDictionary<string, UpstreamBackoff> failed, string server, string reason, Exception? exception)
    {
        var settings = options.CurrentValue;
        var failures = (failed.TryGetValue(server, out var previous) ? previous.Failures : 0) + 1;
        var delay = TimeSpan.FromTicks(Math.Min(settings.UpstreamMaxRetryDelay.Ticks, settings.UpstreamRetryDelay.Ticks << Math.Min(failures - 1, 20)));
        failed[server] = new UpstreamBackoff(failures, time.GetUtcNow() + delay, reason);
        LogFailed(server, reason, failures, exception);
        return reason;
    }

    // A server that stops by itself (a crashed stdio process, a dropped session) counts as a failure: one that keeps
    // crashing is restarted less and less often. Closing it when the agent's session ends is not a failure.
    private async Task WatchAsync(ConcurrentDictionary<string, UpstreamBackoff> failed, RegisteredServer server, McpClient client)
    {
        var completion = await client.Completion;
        // An upstream that ended the session (expired, restarted) is not failing: the next request opens a new one.
        if (completion.Exception is { } crash && !UpstreamErrors.SessionGone(completion))
        {
            Failed(failed, server.Name, $"it stopped: {errors.Describe(crash, server)}", crash);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The upstream server {Server} failed ({Failures} in a row): {Reason}")]
    private partial void LogFailed(string server, string reason, int failures, Exception? exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Server} wrote to standard error: {Line}")]
    private partial void LogStandardError(string server, string line);

}

/// <summary>An upstream server cannot be reached or is backing off; the message is written for the agent.</summary>
public sealed class UpstreamUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A server's failures in a row, and when it may be tried again.</summary>
public sealed record UpstreamBackoff(int Failures, DateTimeOffset RetryAt, string Reason);
