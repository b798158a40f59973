using System.Collections.Concurrent;

namespace Shield.Console.Relay;

/// <summary>
/// Calls in flight per Shield session, across every MCP session (and stateless request) its token opens, so that
/// opening more MCP sessions never raises the limit.
/// </summary>
public sealed class CallsInFlight
{
    private readonly ConcurrentDictionary<Guid, int> _counts = new();

    /// <summary>Counts a call in; false when the session already has <paramref name="limit"/> calls in flight.</summary>
    public bool TryEnter(Guid session, int limit)
    {
        while (true)
        {
            var current = _counts.GetValueOrDefault(session);
            if (current >= limit)
            {
                return false;
            }

            if (current == 0 ? _counts.TryAdd(session, 1) : _counts.TryUpdate(session, current + 1, current))
            {
                return true;
            }
        }
    }

    public void Exit(Guid session)
    {
        while (true)
        {
            var current = _counts[session];
            // The last call out removes the entry: the dictionary holds only sessions with calls in flight.
            if (current == 1 ? _counts.TryRemove(new KeyValuePair<Guid, int>(session, 1)) : _counts.TryUpdate(session, current - 1, current))
            {
                return;
            }
        }
    }
}
