namespace Shield.Core.Policy;

/// <summary>
/// Holds the current <see cref="PolicySnapshot"/>. Readers take it without locking; a writer builds a whole new
/// snapshot and swaps it in at once, so a decision never sees half an update.
/// </summary>
public sealed class PolicyStore
{
    private PolicySnapshot _current = PolicySnapshot.Empty;

    public PolicySnapshot Current => Volatile.Read(ref _current);

    public void Replace(PolicySnapshot snapshot) => Volatile.Write(ref _current, snapshot);
}
