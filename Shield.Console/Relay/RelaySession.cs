// The relay speaks the 2025-11-25 revision to clients that initialize, so it passes on logging, sampling and roots,
// which the SDK marks obsolete for the revisions after it.
#pragma warning disable MCP9005

using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Registry;
using Shield.Core.Sessions;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// One agent's MCP session on the relay: the Shield session it authenticated with, and its own upstream MCP sessions,
/// one per server, opened on first use. Keeping upstream sessions per downstream session is what lets the client's
/// capabilities reach the upstream, and the upstream's sampling, elicitation, roots, logging, progress and resource
/// notifications come back to this session and no other. A session whose client declared no capabilities uses the
/// server's <see cref="SharedUpstream"/> instead, when the server is registered to share sessions.
/// Connections themselves are pooled per server by the HTTP client underneath.
/// </summary>
public sealed class RelaySession(AgentSession session, bool unqualifiedNames) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<McpClient>>> _upstreams = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, McpServer> _progress = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, McpServer> _callers = new();
    private readonly ConcurrentDictionary<string, string> _resourceOwners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SharedUpstream, byte> _shared = new();
    private readonly CancellationTokenSource _closed = new();
    private long _nextCall;
    private volatile bool _disposed;
    private volatile bool _ownUpstreams;

    public AgentSession Session { get; } = session;

    /// <summary>The tools the session was minted for, as <c>&lt;server&gt;__&lt;tool&gt;</c>.</summary>
    public FrozenSet<string> Scope { get; } = session.Tools.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The one server of the session's scope when tools are listed under their own names; otherwise null.</summary>
    public string? SoleServer { get; } = unqualifiedNames ? SoleServerOf(session.Tools) : null;

    /// <summary>Cancelled when the MCP session closes (ended, expired, revoked): calls still waiting stop waiting.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>The session-wide MCP server (for messages that belong to no request), once the session runs.</summary>
    public McpServer? Server { get; set; }

    /// <summary>The back-off of this session's own stdio servers, gone with the session.</summary>
    public ConcurrentDictionary<string, UpstreamBackoff> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>The logging level the client asked for, applied to upstream sessions opened later.</summary>
    public LoggingLevel? LoggingLevel { get; set; }

    /// <summary>
    /// Whether this session may use upstream sessions shared with other agents: only while its client declared no
    /// capabilities (the upstream could send it requests) and it asked for nothing bound to its own session.
    /// </summary>
    public bool MayShare(ClientCapabilities? capabilities) =>
        !_ownUpstreams && LoggingLevel is null &&
        capabilities is null or { Sampling: null, Elicitation: null, Roots: null, Experimental: null or { Count: 0 } };

    /// <summary>From now on every upstream session this session opens is its own (it subscribes to resources).</summary>
    public void KeepOwnUpstreams() => _ownUpstreams = true;

    internal void Joined(SharedUpstream shared) => _shared.TryAdd(shared, 0);

    /// <summary>A trail record of something this session's agent did: who, in which session and task, in which trace.</summary>
    public AuditRecord Record()
    {
        var activity = Activity.Current;
        return new AuditRecord
        {
            ActorKind = Actor.Agent,
            ActorId = Session.AgentId.ToString(),
            ActorName = Session.AgentName.Clip(256),
            SessionId = Session.Id,
            Task = Session.Task.Clip(500),
            TraceId = activity?.TraceId.ToHexString(),
            SpanId = activity?.SpanId.ToHexString(),
        };
    }

    /// <summary>The (server, tool) a listed name stands for.</summary>
    public bool TryResolve(string? listed, out string server, out string tool)
    {
        if (SoleServer is { } sole)
        {
            (server, tool) = (sole, listed ?? "");
            return tool.Length > 0;
        }

        return QualifiedToolName.TryParse(listed, out server, out tool);
    }

    public bool InScope(string server, string tool) => Scope.Contains(QualifiedToolName.Of(server, tool));

    /// <summary>The servers this session holds at least one tool of.</summary>
    public IEnumerable<string> ScopeServers => Scope.Select(q => QualifiedToolName.TryParse(q, out var s, out _) ? s : "").Where(s => s.Length > 0).Distinct(StringComparer.Ordinal);

    /// <summary>Remembers where the upstream's messages about this call go: its progress token, and its response stream.</summary>
    public CallRoute Route(McpServer caller, ProgressToken? progressToken)
    {
        var id = Interlocked.Increment(ref _nextCall);
        _callers[id] = caller;
        var token = progressToken?.ToString();
        if (token is not null)
        {
            _progress[token] = caller;
        }

        return new CallRoute(this, id, token);
    }

    /// <summary>Where a message from the upstream that belongs to no particular call should go.</summary>
    public McpServer? Destination()
    {
        // While exactly one call is in flight, its own response stream is the one the client is surely reading.
        if (_callers.Count == 1 && _callers.Values.FirstOrDefault() is { } only)
        {
            return only;
        }

        return Server ?? _callers.Values.FirstOrDefault();
    }

    public McpServer? ProgressDestination(string token) => _progress.TryGetValue(token, out var caller) ? caller : Destination();

    public void Owns(string server, string uri) => _resourceOwners.AddOrUpdate(uri, server, (_, existing) => existing == server ? server : "");

    /// <summary>The server that listed the resource; empty when two did (never routed silently), null when none did.</summary>
    public string? OwnerOf(string uri) => _resourceOwners.TryGetValue(uri, out var owner) ? owner : null;

    /// <summary>The server that listed a resource template whose fixed start <paramref name="uri"/> begins with; empty when two did.</summary>
    public string? OwnerByTemplate(string uri)
    {
        var owners = _resourceOwners.Where(o => o.Key.Length > 0 && uri.StartsWith(o.Key, StringComparison.Ordinal)).Select(o => o.Value).Distinct().ToList();
        return owners switch
        {
            [] => null,
            [var one] => one,
            _ => "",
        };
    }

    public Task<McpClient> UpstreamAsync(string server, Func<Task<McpClient>> connect)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _upstreams.GetOrAdd(server, _ => new Lazy<Task<McpClient>>(connect));
        if (_disposed)
        {
            // The session ended while this call was starting: whatever was just added is closed with it.
            _ = DisposeAsync().AsTask();
            throw new ObjectDisposedException(nameof(RelaySession));
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
    /// Only the session that failed: one opened since by another call stays, and an upstream that merely answered
    /// badly (its session still up) stays too.
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

    /// <summary>The upstream sessions already open.</summary>
    public IEnumerable<McpClient> OpenUpstreams =>
        _upstreams.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully).Select(l => l.Value.Result);

    /// <summary>The MCP session is closing: calls still waiting stop now, before the SDK waits for them to finish.</summary>
    public void Close() => _closed.Cancel();

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        Close();
        foreach (var shared in _shared.Keys)
        {
            shared.Leave(this);
        }

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

    private static string? SoleServerOf(IEnumerable<string> tools)
    {
        var servers = tools.Select(q => QualifiedToolName.TryParse(q, out var s, out _) ? s : "").Distinct(StringComparer.Ordinal).ToList();
        return servers is [{ Length: > 0 } one] ? one : null;
    }

    /// <summary>A call's place in the session's routing tables, removed when disposed.</summary>
    public readonly struct CallRoute(RelaySession session, long id, string? progressToken) : IDisposable
    {
        public void Dispose()
        {
            session._callers.TryRemove(id, out _);
            if (progressToken is not null)
            {
                session._progress.TryRemove(progressToken, out _);
            }
        }
    }
}
