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
/// registered with <see cref="RegisteredServer.ShareSessions"/> (<see cref="SharedUpstream"/>), and one upstream client
/// of an HTTP server that speaks the stateless revision, which keeps no session to share (<see cref="Revisions.SharesByItself"/>). A client of the stateless
/// 2026-07-28 revision, whose every request is a relay session of its own, gets upstream sessions that belong to its
/// Shield session instead, kept until that session expires, ends or is revoked (<see cref="SessionStopped"/>).
/// </summary>
public sealed partial class UpstreamLinks(UpstreamConnector connector, UpstreamErrors errors, IOptionsMonitor<RelayOptions> options, TimeProvider time, ILogger<UpstreamLinks> logger)
    : IAsyncDisposable
{
    // Failures of HTTP servers, which every session shares; a stdio server is a process per session, so its failures
    // are the session's own (SessionUpstreams.Failures, or SessionEnd.Failures for a stateless client's) and one
    // agent crashing its process never holds up another.
    private readonly ConcurrentDictionary<string, UpstreamBackoff> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SharedUpstream> _shared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SharedUpstream, byte> _retired = new();
    private readonly ConcurrentDictionary<RelaySession, SessionUpstreams> _own = new();
    private readonly ConcurrentDictionary<Guid, SessionEnd> _sessionEnds = new();
    private readonly ConcurrentDictionary<RelaySession, ConcurrentDictionary<SharedUpstream, byte>> _joined = new();
    private volatile bool _disposed;

    // Which shared session each shared client belongs to, replaced or not: a request keeps its routes to the end.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<McpClient, SharedUpstream> _owners = [];

    /// <exception cref="UpstreamUnavailableException">The server is backing off, or could not be reached.</exception>
    public Task<McpClient> ClientAsync(RelaySession relay, RegisteredServer server, McpServer downstream, CancellationToken cancellationToken)
    {
        var shares = (server.ShareSessions || Revisions.SharesByItself(server)) && relay.MayShare(downstream.ClientCapabilities);
        if (!shares && !relay.Stateless)
        {
            return OwnOf(relay).GetAsync(server.Name, () => ConnectAsync(relay, server, downstream.ClientCapabilities, null));
        }

        // A stateless client's requests each come as a relay session of their own: unless the server is shared, its
        // upstream session is its Shield session's, and outlives the request.
        var shared = SharedFor(server, shares ? null : relay.Session);
        Join(relay, shared);
        return shared.Client.Value;
    }

    /// <summary>The agent session's own upstream sessions already open.</summary>
    public IEnumerable<McpClient> OpenFor(RelaySession relay) => _own.TryGetValue(relay, out var own) ? own.Open : [];

    /// <summary>The agent's session ended: its own upstream sessions close (stdio processes among them), and it leaves the shared ones.</summary>
    public async Task EndAsync(RelaySession relay)
    {
        relay.Close();
        if (_joined.TryRemove(relay, out var joined))
        {
            foreach (var shared in joined.Keys)
            {
                shared.Leave(relay);
            }
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
            if ((failed.Completion.IsCompleted || UpstreamErrors.SessionGone(error)) && _shared.TryRemove(new KeyValuePair<string, SharedUpstream>(owner.Key, owner)))
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

        foreach (var end in _sessionEnds.Values)
        {
            end.Timer.Dispose();
        }

        _shared.Clear();
        _retired.Clear();
        _own.Clear();
    }

    // List changes on a shared session go to the relay sessions that joined it, until they end.
    private void Join(RelaySession relay, SharedUpstream shared)
    {
        shared.Join(relay);
        _joined.GetOrAdd(relay, _ => new()).TryAdd(shared, 0);
        if (relay.Closed.IsCancellationRequested && _joined.TryRemove(relay, out var joined))
        {
            // EndAsync ran while this request joined: nobody else will take it out again.
            foreach (var left in joined.Keys)
            {
                left.Leave(relay);
            }
        }
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

    // The server's shared session (or a stateless client's Shield session's), opened afresh when the registration
    // changed or the session failed or closed.
    private SharedUpstream SharedFor(RegisteredServer server, Shield.Core.Sessions.AgentSession? session)
    {
        var key = session is null ? server.Name : $"{server.Name}/{session.Id:N}";
        while (true)
        {
            if (_disposed)
            {
                throw new UpstreamUnavailableException($"The server {server.Name} is unavailable: Shield is stopping.");
            }

            if (_shared.TryGetValue(key, out var current))
            {
                // A request that still holds an older registration uses the newer session rather than undo the change.
                if (current.IsUsable && current.Revision == server.ProtocolRevision &&
                    (current.Registration == (server.Id, server.UpdatedAtUtc) || current.Registration.UpdatedAtUtc > server.UpdatedAtUtc))
                {
                    return current;
                }

                if (_shared.TryRemove(new KeyValuePair<string, SharedUpstream>(key, current)))
                {
                    Retire(current);
                }

                continue;
            }

            SharedUpstream? fresh = null;
            fresh = new SharedUpstream(server.Name, (server.Id, server.UpdatedAtUtc), session?.Id)
            {
                Revision = server.ProtocolRevision,
                Client = new Lazy<Task<McpClient>>(() => ConnectAsync(null, server, null, fresh)),
            };
            if (_shared.TryAdd(key, fresh))
            {
                if (session is not null)
                {
                    EndWith(session);
                }

                return fresh;
            }
        }
    }

    // Opens an upstream session: an agent session's own (declaring its client's capabilities), or a shared one.
    private async Task<McpClient> ConnectAsync(RelaySession? relay, RegisteredServer server, ClientCapabilities? capabilities, SharedUpstream? shared)
    {
        var settings = options.CurrentValue;
        var failures = FailuresOf(relay, shared, server);
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

        if (relay?.LoggingLevel is { } level && Revisions.TakesLoggingLevel(client))
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Server} wrote to standard error: {Line}")]
    private partial void LogStandardError(string server, string line);

}

/// <summary>An upstream server cannot be reached or is backing off; the message is written for the agent.</summary>
public sealed class UpstreamUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A server's failures in a row, and when it may be tried again.</summary>
public sealed record UpstreamBackoff(int Failures, DateTimeOffset RetryAt, string Reason);
