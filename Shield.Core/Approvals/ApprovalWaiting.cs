namespace Shield.Core.Approvals;

/// <summary>How the call of an <see cref="ApprovalRequest"/> waits for its verdict.</summary>
public enum ApprovalWaiting
{
    /// <summary>Held open in the Shield process that received it (a 2025-11-25 client): it ends with that process.</summary>
    Held,

    /// <summary>
    /// In rounds (a 2026-07-28 client asks again for the verdict, on any instance): nothing holds it, so it outlives a
    /// restart until its deadline, and the same call asked again joins it.
    /// </summary>
    InRounds,
}
