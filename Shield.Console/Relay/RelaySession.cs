// The relay speaks the 2025-11-25 revision to clients that initialize, so it passes on logging, sampling and roots,
// which the SDK marks obsolete for the revisions after it.
#pragma warning disable MCP9005

using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Policy;
using Shield.Core.Registry;
using Shield.Core.Sessions;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// One agent's MCP session on the relay: the Shield session it authenticated with, what it may see, and where the
/// upstream's messages for it go (the response stream of each call in flight, its progress tokens, the server that
/// listed each resource). Its upstream sessions are <see cref="UpstreamLinks"/>'s: its own, one per server, so that the
/// client's capabilities reach the upstream and the upstream's requests and notifications come back to this session
/// and no other; or, while its client declared no capabilities, a server's <see cref="SharedUpstream"/>.
/// </summary>
public sealed class RelaySession(AgentSession session, bool unqualifiedNames, bool stateless = false)
{
    private readonly ConcurrentDictionary<string, McpServer> _progress = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, McpServer> _callers = new();
    private readonly ConcurrentDictionary<string, string> _resourceOwners = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private long _nextCall;
    private volatile bool _ownUpstreams;

    public AgentSession Session { get; } = session;

    /// <summary>Whether it serves one request of a stateless (2026-07-28) client rather than a 2025-11-25 session.</summary>
    public bool Stateless { get; } = stateless;

    /// <summary>The tools the session was minted for, as <c>&lt;server&gt;__&lt;tool&gt;</c>.</summary>
    public FrozenSet<string> Scope { get; } = session.Tools.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The one server of the session's scope when tools are listed under their own names; otherwise null.</summary>
    public string? SoleServer { get; } = unqualifiedNames ? SoleServerOf(session.Tools) : null;

    /// <summary>A call in this session as a grant's condition sees it (<c>session.task</c>, <c>session.age</c>…).</summary>
    public PolicyCall Asking(JsonElement? arguments, DateTime nowUtc) => new(arguments, Session.Task, Session.Tools, nowUtc - Session.CreatedAtUtc, nowUtc);

    /// <summary>Cancelled when the MCP session closes (ended, expired, revoked): calls still waiting stop waiting.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>The session-wide MCP server (for messages that belong to no request), once the session runs.</summary>
    public McpServer? Server { get; set; }

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

    /// <summary>The MCP session is closing: calls still waiting stop now, before the SDK waits for them to finish.</summary>
    public void Close() => _closed.Cancel();

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
