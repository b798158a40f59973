using System.Globalization;

namespace Shield.Core.Auditing;

/// <summary>
/// Recomputes the chain one record at a time, in sequence order, so a trail of any length is checked in constant
/// memory. Detects an edited record (its hash no longer matches its content), a deleted one (a gap in the sequence),
/// reordered or inserted ones (a link that does not match the record before), and a truncated tail (a signed
/// checkpoint the records no longer reach). Pure: the caller reads the records and checkpoints.
/// </summary>
public sealed class AuditChainVerifier
{
    private readonly Dictionary<long, string> _checkpoints = [];
    private readonly long _checkpointHead;
    private readonly int _checkpointCount;
    private AuditBreak? _break;
    private long _checked;
    private long? _first;
    private long? _last;
    private string? _lastHash;

    /// <param name="key">Shield's audit key, which signed the checkpoints.</param>
    /// <param name="checkpoints">Every stored checkpoint.</param>
    /// <param name="anchor">Where a pruned trail starts: the last pruned record's sequence and hash, from a signed checkpoint.</param>
    public AuditChainVerifier(ReadOnlySpan<byte> key, IEnumerable<AuditCheckpoint> checkpoints, AuditCheckpoint? anchor = null)
    {
        foreach (var checkpoint in checkpoints.OrderBy(c => c.Sequence))
        {
            _checkpointCount++;
            if (!AuditChain.HasValidSignature(key, checkpoint))
            {
                _break ??= new AuditBreak(checkpoint.Sequence, $"The checkpoint at record {checkpoint.Sequence} is not signed with Shield's audit key: it was forged or altered.");
                continue;
            }

            _checkpoints[checkpoint.Sequence] = checkpoint.Hash;
            _checkpointHead = Math.Max(_checkpointHead, checkpoint.Sequence);
        }

        if (anchor is not null && AuditChain.HasValidSignature(key, anchor))
        {
            _last = anchor.Sequence;
            _lastHash = anchor.Hash;
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

        if (_checkpoints.TryGetValue(record.Sequence, out var signed) && !string.Equals(signed, record.Hash, StringComparison.Ordinal))
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
