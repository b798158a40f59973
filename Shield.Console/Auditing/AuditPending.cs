using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>
/// A record handed to the writer, with the caller's wait for its commit. Exactly one side settles what happens to it:
/// the writer takes it into a commit, or the caller, tired of waiting on a stuck store, abandons it, and then it is
/// never written (so a refused call is never recorded as allowed).
/// </summary>
internal sealed class AuditPending(AuditRecord? record, bool checkpoint = false, bool awaited = true)
{
    private const int Waiting = 0;
    private const int Taken = 1;
    private const int Abandoned = 2;
    private int _state;

    /// <summary>Null for a flush or a wake-up, which carry no record.</summary>
    public AuditRecord? Record { get; } = record;

    /// <summary>Sign a checkpoint in the same commit.</summary>
    public bool Checkpoint { get; } = checkpoint;

    /// <summary>False for a record handed over without waiting for its commit (a call's outcome, a security event).</summary>
    public bool Awaited { get; } = awaited;

    public TaskCompletionSource<AuditReceipt> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A wake-up for the writer: no record, nobody waits.</summary>
    public static readonly AuditPending Wake = new(null);

    /// <summary>The writer takes the record into a commit; false when its caller has given up on it.</summary>
    public bool Take() => Interlocked.CompareExchange(ref _state, Taken, Waiting) != Abandoned;

    /// <summary>The caller gives up; false when the writer already took it (its outcome then follows shortly).</summary>
    public bool Abandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) != Taken;
}
