namespace Shield.Console.Siem;

/// <summary>What this instance knows of one sink now: whether it streams it, how far, and why it last failed.</summary>
public sealed class SiemSinkState(SiemSinkOptions sink)
{
    public SiemSinkOptions Sink => sink;

    /// <summary>Whether this instance streams the sink (it holds the sink's lease); in a cluster, one instance does.</summary>
    public bool Streaming { get; internal set; }

    /// <summary>The last record the sink was sent.</summary>
    public long Sequence { get; internal set; }

    /// <summary>The newest committed record when the sink last looked.</summary>
    public long Head { get; internal set; }

    /// <summary>Records committed but not yet sent.</summary>
    public long Lag => Math.Max(0, Head - Sequence);

    /// <summary>Why the last attempt failed, in words; null while sending works.</summary>
    public string? Error { get; internal set; }

    public DateTime? LastSentAtUtc { get; internal set; }
}
