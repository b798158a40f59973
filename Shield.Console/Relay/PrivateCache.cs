using ModelContextProtocol.Protocol;

namespace Shield.Console.Relay;

/// <summary>
/// The cache hints of what the relay lists and reads (2026-07-28 revision): <see cref="CacheScope.Private"/>, since
/// each list is cut to one session's grants and a shared cache must never serve it to another agent (a result without
/// a scope counts as public); and a time to live of zero, since grants, approvals and definitions change at any moment
/// and an agent of this revision hears of no change: it asks again each time. An upstream's own hints (a resource it
/// calls public for an hour) are overwritten: what Shield passes on was cut to one session, whatever the upstream meant.
/// </summary>
internal static class PrivateCache
{
    public static T Marked<T>(T result) where T : ICacheableResult
    {
        result.CacheScope = CacheScope.Private;
        result.TimeToLive = TimeSpan.Zero;
        return result;
    }
}
