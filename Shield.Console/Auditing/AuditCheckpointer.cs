using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>
/// Decides when the writer signs a checkpoint of the chain's head (the first commit after start, then at most every
/// <see cref="AuditOptions.CheckpointInterval"/> while records are added, on demand, and at stop), and writes each one
/// committed to the anchor file as well. A failed anchor write is reported (health Degraded) and tried again with the
/// next checkpoint; the records themselves are committed and sealed all the same. Only the writer's loop uses it.
/// </summary>
internal sealed partial class AuditCheckpointer(AuditAnchorFile anchors, TimeSpan interval, TimeProvider time, ILogger logger)
{
    private long? _lastAt; // monotonic: a clock stepped back does not stop checkpoints; none yet: the first commit is checkpointed
    private bool _uncheckpointed;

    /// <summary>Null while every checkpoint reached the anchor file; otherwise why the last one did not.</summary>
    public string? AnchorFailure { get; private set; }

    public AuditAnchorFile Anchors => anchors;

    /// <summary>The checkpoint to commit with this batch, or null when none is due.</summary>
    public AuditCheckpoint? Due(bool added, bool forced, long sequence, string hash, DateTime now, AuditChainKey key)
    {
        _uncheckpointed |= added;
        return _uncheckpointed && sequence > 0 && (forced || _lastAt is not { } last || time.GetElapsedTime(last) >= interval) ? Sign(key, sequence, hash, now) : null;
    }

    /// <summary>The batch is committed: its checkpoint, if any, goes to the anchor file.</summary>
    public void Committed(AuditCheckpoint? checkpoint, AuditChainKey key)
    {
        if (checkpoint is null)
        {
            return;
        }

        _lastAt = time.GetTimestamp();
        _uncheckpointed = false;
        // Stamped now, after the commit: whoever reads the trail after this time finds the record.
        Anchor(AuditAnchor.Signed(AuditAnchorKind.Checkpoint, checkpoint.Sequence, checkpoint.Hash, time.GetUtcNow().UtcDateTime, key));
    }

    /// <summary>Whether records were committed since the last checkpoint.</summary>
    public bool Behind => _uncheckpointed;

    /// <summary>Anchors the tail an instance found as it joined a cluster's trail with an empty anchor file of its own.</summary>
    public void Joined(long sequence, string hash, AuditChainKey key) =>
        Anchor(AuditAnchor.Signed(AuditAnchorKind.Checkpoint, sequence, hash, time.GetUtcNow().UtcDateTime, key));

    /// <summary>Anchors where the trail goes on after acknowledged tampering cut it short.</summary>
    public void Reset(long sequence, string hash, AuditChainKey key) =>
        Anchor(AuditAnchor.Signed(AuditAnchorKind.Reset, sequence, hash, time.GetUtcNow().UtcDateTime, key));

    public static AuditCheckpoint Sign(AuditChainKey key, long sequence, string hash, DateTime now)
    {
        var at = AuditChain.Storable(now); // signed as the database keeps it
        return new()
        {
            Sequence = sequence,
            Hash = hash,
            AtUtc = at,
            Signature = AuditChain.Sign(key.Bytes, AuditChain.CheckpointText(sequence, hash, at)),
        };
    }

    private void Anchor(AuditAnchor anchor)
    {
        try
        {
            anchors.Append(anchor);
            AnchorFailure = null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            if (AnchorFailure is null)
            {
                LogAnchorFailed(logger, anchors.Path, error);
            }

            AnchorFailure = $"The anchor file {anchors.Path} cannot be written ({error.GetType().Name}): checkpoints are kept in the database only.";
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit anchor file {Path} cannot be written; checkpoints are kept in the database only until it can.")]
    private static partial void LogAnchorFailed(ILogger logger, string path, Exception exception);
}
