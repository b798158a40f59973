using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Common;
using Shield.Core.Agents;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Redaction;
using Shield.Core.Registry;
using Shield.Core.Sessions;
using Shield.Core.Text;

namespace Shield.Console.Sessions;

/// <summary>The agent behind a request authenticated with its key.</summary>
public sealed record AgentCaller(Guid Id, string Name);

/// <summary>
/// Mints, checks, ends and revokes task-scoped session tokens. A token is 256 random bits behind <c>shs_</c>, shown once
/// and stored as its SHA-256. Its scope is the requested tools the policy grants (allow or approve) at mint time; every
/// call is decided again anyway. Ending or revoking a session, and its expiry, take effect at the very next request:
/// checks read a cache that ending and revoking update at once, and expiry is compared on every check. A cached session
/// is read again from the database after <see cref="CacheLifetime"/>, so an end or revocation made by another Shield
/// instance reaches this one within that time at the latest (at once with the cluster's signals: <see cref="ForgetEndedAsync"/>).
/// The task is stored redacted, like a call's arguments: every page, API, hub and audit record that shows or records it
/// takes it from the session.
/// </summary>
public sealed class SessionIssuer(
    IDbContextFactory<ShieldDbContext> contexts,
    PolicyStore policy,
    SessionRefusals refusals,
    RedactorStore redaction,
    IOptionsMonitor<AgentSessionOptions> options,
    TimeProvider time)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Cached> _live = new(StringComparer.Ordinal);

    // Tokens ended here, until they would have expired: a check that read the row just before the end must not cache it.
    private readonly ConcurrentDictionary<string, DateTime> _ended = new(StringComparer.Ordinal);

    public async Task<Result<MintedSession>> MintAsync(AgentCaller agent, MintSessionRequest request, CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        if (string.IsNullOrWhiteSpace(request.Task) || request.Task.Length > 500)
        {
            return Refusal.Invalid("task", "Say what the session is for in \"task\" (1 to 500 characters); it is shown to reviewers and auditors.");
        }

        var ttl = request.TtlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : settings.DefaultTtl;
        if (ttl <= TimeSpan.Zero || ttl > settings.MaxTtl)
        {
            return Refusal.Invalid("ttlSeconds", $"ttlSeconds must be between 1 and {settings.MaxTtl.TotalSeconds:0} ({Shield.Console.Sessions.AgentSessionOptions.SectionName}:MaxTtl).");
        }

        if (request.Tools?.Count > 1_000)
        {
            return Refusal.Invalid("tools", "Ask for at most 1,000 tools in one session.");
        }

        var snapshot = policy.Current;
        List<string> scope = [];
        List<RefusedTool> refused = [];
        var requested = request.Tools ?? [.. snapshot.Tools.Select(t => QualifiedToolName.Of(t.Server, t.Name))];
        ILookup<string, string>? serversByTool = null;
        foreach (var written in requested.Select(t => t ?? "").Distinct(StringComparer.Ordinal))
        {
            if (!QualifiedToolName.TryParse(written, out var server, out var tool))
            {
                var (sole, problem) = Unqualified(written, snapshot, ref serversByTool);
                if (sole is null)
                {
                    refused.Add(new RefusedTool(written, problem!));
                    continue;
                }

                (server, tool) = (sole, written);
            }

            var decision = snapshot.Decide(agent.Name, server, tool);
            var qualified = QualifiedToolName.Of(server, tool);
            if (decision.Kind == DecisionKind.Deny)
            {
                refused.Add(new RefusedTool(written, decision.Reason));
            }
            else if (!scope.Contains(qualified))
            {
                scope.Add(qualified);
            }
        }

        var actor = new Actor(Actor.Agent, agent.Id.ToString(), agent.Name);
        if (scope.Count == 0)
        {
            var reason = request.Tools is null ? "No tool is granted to this agent." : "None of the requested tools is granted to this agent.";
            await refusals.RefusedAsync(actor, "mint", request.Task, reason, refused);
            return new Refusal(RefusalKind.Forbidden, reason,
                refused.Count == 0 ? null : refused.GroupBy(r => r.Tool).ToDictionary(g => g.Key, g => new[] { g.First().Reason }));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var token = SecretToken.New(SecretToken.SessionPrefix);
        var session = new AgentSession
        {
            AgentId = agent.Id,
            AgentName = agent.Name,
            Task = redaction.Current.RedactText(request.Task.Trim()).Clip(500),
            Tools = scope,
            TokenSha256 = SecretToken.Hash(token),
            CreatedAtUtc = now,
            ExpiresAtUtc = now + ttl,
        };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Sessions.Add(session);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "session", session.Id.ToString(),
            ChangeActions.Created, after: System.Text.Json.JsonSerializer.Serialize(new { session.Task, session.Tools, session.ExpiresAtUtc })));
        await db.SaveChangesAsync(cancellationToken);
        ForgetExpired(now);
        _live[session.TokenSha256] = new Cached(session, time.GetTimestamp());
        // Tools the agent asked for and may not use are reported and recorded (after the session's creation), never dropped silently.
        if (request.Tools is not null && refused.Count > 0)
        {
            await refusals.ToolsRefusedAsync(actor, session.Id, session.Task, refused);
        }

        return Result<MintedSession>.Ok(new MintedSession(session.Id, token, session.ExpiresAtUtc, scope, request.Tools is null ? [] : refused));
    }

    /// <summary>The live session a token stands for, or null when it is unknown, expired, ended or revoked.</summary>
    public async ValueTask<AgentSession?> CheckAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (!SecretToken.LooksLike(token, SecretToken.SessionPrefix))
        {
            return null;
        }

        var hash = SecretToken.Hash(token!);
        AgentSession? session;
        if (_live.TryGetValue(hash, out var cached) && time.GetElapsedTime(cached.LoadedAt) < CacheLifetime)
        {
            session = cached.Session;
        }
        else
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            session = await db.Sessions.AsNoTracking().SingleOrDefaultAsync(s => s.TokenSha256 == hash, cancellationToken);
            if (session is null || session.EndedAtUtc is not null || _ended.ContainsKey(hash))
            {
                _live.TryRemove(hash, out _);
                return null;
            }

            _live[hash] = new Cached(session, time.GetTimestamp());
            if (_ended.ContainsKey(hash))
            {
                _live.TryRemove(hash, out _);
                return null;
            }
        }

        // A disabled or deleted agent's sessions stop at once, whatever their expiry.
        if (session.IsActiveAt(time.GetUtcNow().UtcDateTime) && policy.Current.IsAgentEnabled(session.AgentName))
        {
            return session;
        }

        _live.TryRemove(hash, out _);
        return null;
    }

    /// <summary>The agent ends its own session.</summary>
    public Task<Refusal?> EndAsync(Guid id, AgentCaller agent, CancellationToken cancellationToken = default) =>
        StopAsync(id, s => s.AgentId == agent.Id, new Actor(Actor.Agent, agent.Id.ToString(), agent.Name), "ended", cancellationToken);

    /// <summary>Ends every live session of an agent (when it is disabled or its key changes), in the caller's transaction.</summary>
    internal async Task<List<string>> EndAllOfAsync(ShieldDbContext db, Guid agentId, Actor actor, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var live = await db.Sessions.Where(s => s.AgentId == agentId && s.EndedAtUtc == null && s.ExpiresAtUtc > now).ToListAsync(cancellationToken);
        foreach (var session in live)
        {
            session.EndedAtUtc = now;
            session.EndedBy = actor.Name;
            db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "session", session.Id.ToString(), "revoked",
                after: System.Text.Json.JsonSerializer.Serialize(new { session.AgentName, session.Task, reason })));
        }

        return [.. live.Select(s => s.TokenSha256)];
    }

    /// <summary>Raised with a session's token hash when it is ended or revoked in this process, so open connections close.</summary>
    public event Action<string>? Stopped;

    /// <summary>Forgets tokens ended elsewhere in this process, so the next check refuses them.</summary>
    internal void Forget(IEnumerable<string> tokenHashes)
    {
        var until = time.GetUtcNow().UtcDateTime + options.CurrentValue.MaxTtl;
        foreach (var hash in tokenHashes)
        {
            _ended[hash] = until;
            _live.TryRemove(hash, out _);
            Stopped?.Invoke(hash);
        }
    }

    /// <summary>
    /// Forgets those of <paramref name="ids"/> that the database says have ended (on another instance), so that their next
    /// request is refused and their open connections close now rather than when their cached entry ages out.
    /// </summary>
    internal async Task ForgetEndedAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        Forget(await db.Sessions.Where(s => ids.Contains(s.Id) && s.EndedAtUtc != null).Select(s => s.TokenSha256).ToListAsync(cancellationToken));
    }

    /// <summary>An administrator revokes any session.</summary>
    public Task<Refusal?> RevokeAsync(Guid id, Actor actor, CancellationToken cancellationToken = default) =>
        StopAsync(id, _ => true, actor, "revoked", cancellationToken);

    public async Task<IReadOnlyList<SessionView>> ListLiveAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var sessions = await db.Sessions.AsNoTracking().Where(s => s.EndedAtUtc == null && s.ExpiresAtUtc > now)
            .OrderBy(s => s.ExpiresAtUtc).ToListAsync(cancellationToken);
        return [.. sessions.Select(s => new SessionView(s.Id, s.AgentName, s.Task, s.Tools, s.CreatedAtUtc, s.ExpiresAtUtc, s.EndedAtUtc, s.EndedBy))];
    }

    /// <summary>
    /// The server of a tool named without one, when exactly one server has a tool of that name; otherwise why the name
    /// cannot stand alone. A one-server session lists its tools under their own names, so an agent may write them so.
    /// </summary>
    private static (string? Server, string? Problem) Unqualified(string written, PolicySnapshot snapshot, ref ILookup<string, string>? serversByTool)
    {
        serversByTool ??= snapshot.Tools.ToLookup(t => t.Name, t => t.Server, StringComparer.Ordinal);
        var servers = serversByTool[written].ToList();
        return servers switch
        {
            [var sole] => (sole, null),
            [] => (null, "Name tools as <server>__<tool> (or <server>/<tool>)."),
            _ => (null, $"More than one server has a tool named '{written}': name it as <server>__{written}."),
        };
    }

    // Sessions nobody uses again would otherwise stay cached until the process ends.
    private void ForgetExpired(DateTime nowUtc)
    {
        if (_live.Count + _ended.Count < 1_024)
        {
            return;
        }

        foreach (var (hash, cached) in _live)
        {
            if (!cached.Session.IsActiveAt(nowUtc))
            {
                _live.TryRemove(hash, out _);
            }
        }

        foreach (var (hash, until) in _ended)
        {
            if (until <= nowUtc)
            {
                _ended.TryRemove(hash, out _);
            }
        }
    }

    private async Task<Refusal?> StopAsync(Guid id, Func<AgentSession, bool> mayStop, Actor actor, string action, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (session is null || !mayStop(session))
        {
            return Refusal.NotFound("There is no such session.");
        }

        if (session.EndedAtUtc is null)
        {
            var now = time.GetUtcNow().UtcDateTime;
            session.EndedAtUtc = now;
            session.EndedBy = actor.Name;
            db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "session", session.Id.ToString(), action,
                after: System.Text.Json.JsonSerializer.Serialize(new { session.AgentName, session.Task })));
            await db.SaveChangesAsync(cancellationToken);
        }

        _ended[session.TokenSha256] = session.ExpiresAtUtc;
        _live.TryRemove(session.TokenSha256, out _);
        Stopped?.Invoke(session.TokenSha256);
        return null;
    }

    private sealed record Cached(AgentSession Session, long LoadedAt);
}
