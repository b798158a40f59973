using System.Globalization;

namespace Shield.Core.Auditing;

/// <summary>
/// Recomputes the chain one record at a time, in sequence order, so a trail of any length is checked in constant
/// memory. Detects an edited record (its hash no longer matches its content), a deleted one (a gap in the sequence),
/// reordered or inserted ones (a link that does not match the record before), and a truncated tail (a signed
/// checkpoint the records no longer reach). A trail whose oldest records were pruned by retention starts after 1:
/// it verifies only if an <c>audit.pruned</c> record in it says exactly where the pruning stopped and the hash of the
/// last pruned record. Pure: the caller reads the records and checkpoints.
/// </summary>
public sealed class AuditChainVerifier
{
    private readonly Dictionary<long, string> _checkpoints = [];
    private readonly byte[] _key;
    private long _checkpointHead;
    private int _checkpointCount;
    private AuditBreak? _break;
    private long _checked;
    private long? _first;
    private long? _last;
    private string? _lastHash;
    private (long Sequence, string PrevHash)? _prunedStart;
    private readonly List<(long Sequence, AuditPruning Pruning)> _prunings = [];

    /// <param name="key">Shield's audit key, which signed the checkpoints.</param>
    /// <param name="checkpoints">Checkpoints known from the start; more can be fed with <see cref="AddCheckpoint"/>.</param>
    public AuditChainVerifier(ReadOnlySpan<byte> key, IEnumerable<AuditCheckpoint> checkpoints)
    {
        _key = key.ToArray();
        foreach (var checkpoint in checkpoints.OrderBy(c => c.Sequence))
        {
            AddCheckpoint(checkpoint);
        }
    }

    /// <summary>
    /// Feeds a checkpoint. Feed each before the record it names, in sequence order (a page ahead of the records is
    /// enough), so memory holds only the checkpoints of records not yet read.
    /// </summary>
    public void AddCheckpoint(AuditCheckpoint checkpoint)
    {
        _checkpointCount++;
        if (!AuditChain.HasValidSignature(_key, checkpoint))
        {
            _break ??= new AuditBreak(checkpoint.Sequence, $"The checkpoint at record {checkpoint.Sequence} is not signed with Shield's audit key: it was forged or altered.");
            return;
        }

        _checkpointHead = Math.Max(_checkpointHead, checkpoint.Sequence);
        if (checkpoint.Sequence > (_last ?? 0))
        {
            _checkpoints[checkpoint.Sequence] = checkpoint.Hash;
        }
    }

    public bool IsBroken => _break is not null;

    /// <summary>Checks the next record; returns false once the chain is broken (later records need not be read).</summary>
    public bool Add(AuditRecord record)
    {
        if (_break is not null)
        {
            return false;
        }

        if (_last is null && record.Sequence > 1)
        {
            // The oldest records were pruned (or deleted): an audit.pruned record further on must vouch for this start.
            _prunedStart = (record.Sequence - 1, record.PrevHash);
            _last = record.Sequence - 1;
            _lastHash = record.PrevHash;
        }

        if (record.EventType == AuditEventTypes.Pruned && AuditPruning.Read(record) is { } pruned)
        {
            _prunings.Add((record.Sequence, pruned));
        }

        var expected = (_last ?? 0) + 1;
        if (record.Sequence > expected)
        {
            var missing = record.Sequence == expected + 1
                ? $"record {expected.ToString(CultureInfo.InvariantCulture)} is missing"
                : $"records {expected.ToString(CultureInfo.InvariantCulture)} to {(record.Sequence - 1).ToString(CultureInfo.InvariantCulture)} are missing";
            return Fail(expected, $"The trail has a gap: {missing} (deleted, or pruned without a signed anchor).");
        }

        if (record.Sequence < expected)
        {
            return Fail(record.Sequence, $"Record {record.Sequence} appears out of order, after record {expected - 1}.");
        }

        if (!string.Equals(record.PrevHash, _lastHash ?? AuditChain.Genesis, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, $"Record {record.Sequence} does not link to the record before it: records were inserted, reordered or altered.");
        }

        if (!string.Equals(AuditChain.ComputeHash(record), record.Hash, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, $"Record {record.Sequence} was altered: its content no longer matches its hash.");
        }

        if (_checkpoints.Remove(record.Sequence, out var signed) && !string.Equals(signed, record.Hash, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, $"Record {record.Sequence} differs from the signed checkpoint taken when it was written: the trail was rewritten.");
        }

        _first ??= record.Sequence;
        _last = record.Sequence;
        _lastHash = record.Hash;
        _checked++;
        return true;
    }

    public AuditVerification Finish()
    {
        if (_break is null && _prunedStart is { } start)
        {
            // Only a pruning record a signed checkpoint already covers counts: one appended since could be forged.
            var vouched = _prunings.Where(p => p.Sequence <= _checkpointHead).Select(p => p.Pruning).ToList();
            if (!vouched.Any(p => p.Through == start.Sequence && p.Hash == start.PrevHash))
            {
                _break = new AuditBreak(start.Sequence + 1, vouched.Count == 0
                    ? $"The trail starts at record {start.Sequence + 1}, but no signed record says earlier ones were pruned: records 1 to {start.Sequence} were deleted."
                    : $"The trail starts at record {start.Sequence + 1}, but the last pruning stopped at record {vouched[^1].Through}: records were deleted or put back.");
            }
        }

        if (_break is null && _checked > 0 && _checkpointHead == 0)
        {
            _break = new AuditBreak(_first ?? 1, "No signed checkpoint covers the trail: its checkpoints were deleted, or it was written without Shield's key.");
        }

        if (_break is null && _checkpointHead > (_last ?? 0))
        {
            _break = new AuditBreak((_last ?? 0) + 1,
                $"The trail ends at record {_last ?? 0}, but a signed checkpoint shows record {_checkpointHead} was written: the tail was truncated.");
        }

        return new AuditVerification(_break is null, _checked, _first, _last, _lastHash, _checkpointCount, _break);
    }

    private bool Fail(long sequence, string problem)
    {
        _break = new AuditBreak(sequence, problem);
        return false;
    }
}
