namespace Shield.Core.Policy;

/// <summary>
/// Holds the current <see cref="PolicySnapshot"/>. Readers take it without locking; a writer builds a whole new
/// snapshot and swaps it in at once, so a decision never sees half an update.
/// </summary>
public sealed class PolicyStore
{
    private PolicySnapshot _current = PolicySnapshot.Empty;

    public PolicySnapshot Current => Volatile.Read(ref _current);

    /// <summary>Raised after each swap, on the thread that made it; handlers must be quick and must not throw.</summary>
    public event Action<PolicySnapshot>? Replaced;

    public void Replace(PolicySnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        Replaced?.Invoke(snapshot);
    }
}
