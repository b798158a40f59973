using System.Collections.Concurrent;

namespace Shield.Console.Relay;

// The upstream sessions of stateless (2026-07-28) clients: each is its Shield session's, kept until that session
// expires, ends or is revoked, since its requests each come as a relay session of their own.
public sealed partial class UpstreamLinks
{
    /// <summary>A Shield session ended or was revoked: the upstream sessions kept for it close.</summary>
    public void SessionStopped(string tokenSha256)
    {
        foreach (var (id, end) in _sessionEnds)
        {
            if (end.TokenSha256 == tokenSha256)
            {
                EndSession(id);
            }
        }
    }

    // The upstream sessions kept for a stateless client's Shield session go when it expires (or ends: SessionStopped).
    private void EndSession(Guid session)
    {
        if (!_sessionEnds.TryRemove(session, out var end))
        {
            return;
        }

        end.Timer.Dispose();
        foreach (var shared in _shared.Values.Where(s => s.Session == session))
        {
            if (_shared.TryRemove(new KeyValuePair<string, SharedUpstream>(shared.Key, shared)))
            {
                Retire(shared);
            }
        }
    }

    private void EndWith(Shield.Core.Sessions.AgentSession session)
    {
        if (_sessionEnds.ContainsKey(session.Id))
        {
            return;
        }

        var left = session.ExpiresAtUtc - time.GetUtcNow().UtcDateTime;
        var timer = time.CreateTimer(_ => EndSession(session.Id), null, left < TimeSpan.Zero ? TimeSpan.Zero : left, Timeout.InfiniteTimeSpan);
        if (!_sessionEnds.TryAdd(session.Id, new SessionEnd(session.TokenSha256, timer)))
        {
            timer.Dispose();
        }
    }
}

/// <summary>When the upstream sessions kept for a stateless client's Shield session close, and the token that ends it sooner.</summary>
internal sealed record SessionEnd(string TokenSha256, ITimer Timer)
{
    /// <summary>The back-off of the session's own stdio servers.</summary>
    public ConcurrentDictionary<string, UpstreamBackoff> Failures { get; } = new(StringComparer.Ordinal);
}
