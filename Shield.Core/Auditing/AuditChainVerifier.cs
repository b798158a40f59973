using System.Globalization;

namespace Shield.Core.Auditing;

/// <summary>
/// Recomputes the chain one record at a time, in sequence order, so a trail of any length is checked in constant
/// memory. Detects an edited record (its hash no longer matches its content), one written without the chain key (no
/// valid seal), a deleted one (a gap in the sequence), reordered or inserted ones (a link that does not match the
/// record before), a rewritten stretch (a record that differs from a signed checkpoint or anchor taken when it was
/// written), and a truncated tail (a checkpoint or anchor the records no longer reach). A trail whose oldest records
/// were pruned by retention starts after 1: it verifies only if an <c>audit.pruned</c> record in it says exactly where
/// the pruning stopped. A break that an <c>audit.tamper-detected</c> record acknowledges is reported as such, and the
/// check goes on after it. Pure: the caller reads the records, checkpoints and anchors.
/// </summary>
public sealed class AuditChainVerifier
{
    private readonly IReadOnlyList<AuditChainKey> _keys;
    private readonly List<Acknowledgement> _acknowledgements = [];
    private readonly List<AcknowledgedBreak> _acknowledged = [];
    private readonly Dictionary<long, string> _checkpoints = [];
    private readonly Dictionary<long, AuditAnchor> _anchors = [];
    private readonly List<(long Sequence, AuditPruning Pruning)> _prunings = [];
    private readonly List<RecordedGap> _gaps = [];
    private long _checkpointHead;
    private int _checkpointCount;
    private long _anchorHead;
    private int _anchorCount;
    private AuditBreak? _break;
    private long _checked;
    private long _unverified;
    private long? _first;
    private long? _last;
    private string? _lastHash;
    private (long Sequence, string PrevHash)? _prunedStart;
    private AuditChainKey? _sealKey;
    private long? _sealedFrom;
    private Acknowledgement? _skipping;

    /// <param name="keys">The chain keys this Shield holds: they sealed the records and signed checkpoints and anchors.</param>
    /// <param name="acknowledgements">The trail's <c>audit.tamper-detected</c> records; only those sealed with a held key count.</param>
    public AuditChainVerifier(IReadOnlyList<AuditChainKey> keys, IEnumerable<AuditRecord>? acknowledgements = null)
    {
        _keys = keys;
        foreach (var record in acknowledgements ?? [])
        {
            if (AuditTamperFinding.Read(record) is { } finding && AuditChain.ComputeHash(record) == record.Hash &&
                _keys.Any(k => AuditChain.HasValidSeal(k, record)))
            {
                _acknowledgements.Add(new Acknowledgement(record, finding));
            }
        }
    }

    /// <summary>Starts after a record already known good (the tail check after the last anchor): its hash and the key in force.</summary>
    public void StartAfter(long sequence, string hash, AuditChainKey? sealKey)
    {
        _last = sequence;
        _lastHash = hash;
        _sealKey = sealKey;
    }

    public bool IsBroken => _break is not null;

    /// <summary>
    /// Feeds a checkpoint from the database. Feed each before the record it names, in sequence order (a page ahead of
    /// the records is enough), so memory holds only the checkpoints of records not yet read.
    /// </summary>
    public void AddCheckpoint(AuditCheckpoint checkpoint)
    {
        _checkpointCount++;
        if (!_keys.Any(k => AuditChain.HasValidSignature(k.Bytes, checkpoint)))
        {
            _break ??= new AuditBreak(checkpoint.Sequence, $"The checkpoint at record {N(checkpoint.Sequence)} is not signed with Shield's audit key: it was forged or altered.");
            return;
        }

        _checkpointHead = Math.Max(_checkpointHead, checkpoint.Sequence);
        if (checkpoint.Sequence > (_last ?? 0))
        {
            _checkpoints[checkpoint.Sequence] = checkpoint.Hash;
        }
    }

    /// <summary>Feeds a line of the anchor file still in force (<see cref="AuditAnchor.InForce"/>), in file order, like checkpoints.</summary>
    public void AddAnchor(AuditAnchor anchor)
    {
        _anchorCount++;
        if (anchor.Kind == AuditAnchorKind.Unreadable)
        {
            _break ??= new AuditBreak(_last ?? 0, $"Line {N(anchor.Line)} of the anchor file cannot be read: the anchor file was altered or damaged.");
            return;
        }

        var key = _keys.FirstOrDefault(k => k.Id == anchor.KeyId);
        if (key is null || !anchor.IsSignedBy(key))
        {
            _break ??= new AuditBreak(anchor.Sequence, key is null
                ? $"Line {N(anchor.Line)} of the anchor file is signed with a key this Shield does not hold ({anchor.KeyId}): configure that key to check it."
                : $"Line {N(anchor.Line)} of the anchor file is not signed with Shield's audit key: the anchor file was altered.");
            return;
        }

        _anchorHead = Math.Max(_anchorHead, anchor.Sequence);
        if (anchor.Sequence > (_last ?? 0))
        {
            _anchors[anchor.Sequence] = anchor;
        }
    }

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

        if (_skipping is { } skipping)
        {
            if (record.Sequence <= skipping.Through)
            {
                Skip(record);
                return true;
            }

            // The acknowledged stretch ends: the chain goes on from whatever the next record links to.
            _skipping = null;
            _last = record.Sequence - 1;
            _lastHash = record.PrevHash;
        }

        if (Problem(record) is { } problem)
        {
            if (Acknowledging(problem.Sequence) is not { } acknowledgement)
            {
                _break = problem;
                return false;
            }

            _acknowledged.Add(new AcknowledgedBreak(problem.Sequence, acknowledgement.Through, problem.Problem,
                acknowledgement.Record.Sequence, acknowledgement.Record.ActorName, acknowledgement.Record.Reason));
            _skipping = acknowledgement;
            return Add(record);
        }

        if (record.EventType == AuditEventTypes.Pruned && AuditPruning.Read(record) is { } pruned)
        {
            _prunings.Add((record.Sequence, pruned));
        }

        if (AuditGap.Read(record) is { } gap)
        {
            _gaps.Add(new RecordedGap(record.Sequence, gap.FromUtc, gap.ToUtc, gap.Records, gap.Calls, gap.Cause));
        }

        if (record.EventType == AuditEventTypes.Sealing && AuditSealing.Read(record) is { } sealing)
        {
            _sealKey = _keys.FirstOrDefault(k => k.Id == sealing.KeyId);
            _sealedFrom ??= record.Sequence + 1;
            if (_sealKey is null)
            {
                return Fail(record.Sequence + 1, $"Records after {N(record.Sequence)} are sealed with a key this Shield does not hold ({sealing.KeyId}): configure that key to check them.");
            }
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
            // Only a pruning record a signed checkpoint or anchor already covers counts: one appended since could be forged.
            var head = Math.Max(_checkpointHead, _anchorHead);
            var vouched = _prunings.Where(p => p.Sequence <= head || _sealedFrom <= p.Sequence).Select(p => p.Pruning).ToList();
            if (!vouched.Any(p => p.Through == start.Sequence && p.Hash == start.PrevHash))
            {
                _break = new AuditBreak(start.Sequence + 1, vouched.Count == 0
                    ? $"The trail starts at record {N(start.Sequence + 1)}, but no signed record says earlier ones were pruned: records 1 to {N(start.Sequence)} were deleted."
                    : $"The trail starts at record {N(start.Sequence + 1)}, but the last pruning stopped at record {N(vouched[^1].Through)}: records were deleted or put back.");
            }
        }

        if (_break is null && _checked > 0 && _checkpointHead == 0 && _anchorHead == 0 && _sealedFrom is null)
        {
            _break = new AuditBreak(_first ?? 1, "No signed checkpoint covers the trail: its checkpoints were deleted, or it was written without Shield's key.");
        }

        if (_break is null && _anchorHead > (_last ?? 0))
        {
            _break = new AuditBreak((_last ?? 0) + 1,
                $"The trail ends at record {N(_last ?? 0)}, but the anchor file shows record {N(_anchorHead)} was written: the tail was cut off.");
        }

        if (_break is null && _checkpointHead > (_last ?? 0))
        {
            _break = new AuditBreak((_last ?? 0) + 1,
                $"The trail ends at record {N(_last ?? 0)}, but a signed checkpoint shows record {N(_checkpointHead)} was written: the tail was truncated.");
        }

        return new AuditVerification(_break is null, _checked, _first, _last, _lastHash, _checkpointCount, _break)
        {
            AnchorsChecked = _anchorCount,
            SealedFrom = _sealedFrom,
            Acknowledged = _acknowledged,
            RecordsUnverified = _unverified,
            Gaps = _gaps,
        };
    }

    private AuditBreak? Problem(AuditRecord record)
    {
        var expected = (_last ?? 0) + 1;
        if (record.Sequence > expected)
        {
            var missing = record.Sequence == expected + 1
                ? $"record {N(expected)} is missing"
                : $"records {N(expected)} to {N(record.Sequence - 1)} are missing";
            return new AuditBreak(expected, $"The trail has a gap: {missing} (deleted, or pruned without a signed anchor).");
        }

        if (record.Sequence < expected)
        {
            return new AuditBreak(record.Sequence, $"Record {N(record.Sequence)} appears out of order, after record {N(expected - 1)}.");
        }

        if (!string.Equals(record.PrevHash, _lastHash ?? AuditChain.Genesis, StringComparison.Ordinal))
        {
            return new AuditBreak(record.Sequence, $"Record {N(record.Sequence)} does not link to the record before it: records were inserted, reordered or altered.");
        }

        if (!string.Equals(AuditChain.ComputeHash(record), record.Hash, StringComparison.Ordinal))
        {
            return new AuditBreak(record.Sequence, $"Record {N(record.Sequence)} was altered: its content no longer matches its hash.");
        }

        // A sealing record is sealed with the key before it, or, handing an unsealed trail over, with its own new key.
        var sealKey = _sealKey;
        if (sealKey is null && record.EventType == AuditEventTypes.Sealing && AuditSealing.Read(record) is { } sealing)
        {
            sealKey = _keys.FirstOrDefault(k => k.Id == sealing.KeyId);
            if (sealKey is null)
            {
                return new AuditBreak(record.Sequence, $"Records from {N(record.Sequence)} are sealed with a key this Shield does not hold ({sealing.KeyId}): configure that key to check them.");
            }
        }

        if ((_sealKey is not null || record.EventType == AuditEventTypes.Sealing) && (sealKey is null || !AuditChain.HasValidSeal(sealKey, record)))
        {
            return new AuditBreak(record.Sequence, record.Seal is null
                ? $"Record {N(record.Sequence)} carries no seal, though the trail is sealed from record {N(_sealedFrom ?? record.Sequence)}: it was written without Shield's chain key."
                : $"Record {N(record.Sequence)} carries a seal Shield's chain key did not make: it was forged or rewritten.");
        }

        if (_anchors.Remove(record.Sequence, out var anchor) && !string.Equals(anchor.Hash, record.Hash, StringComparison.Ordinal))
        {
            return new AuditBreak(record.Sequence,
                $"Record {N(record.Sequence)} differs from the anchor written when it was committed (anchor file, line {N(anchor.Line)}): the trail was rewritten.");
        }

        if (_checkpoints.Remove(record.Sequence, out var signed) && !string.Equals(signed, record.Hash, StringComparison.Ordinal))
        {
            return new AuditBreak(record.Sequence, $"Record {N(record.Sequence)} differs from the signed checkpoint taken when it was written: the trail was rewritten.");
        }

        return null;
    }

    private Acknowledgement? Acknowledging(long sequence) =>
        _acknowledgements.FirstOrDefault(a => a.From <= sequence && sequence <= a.Through);

    private void Skip(AuditRecord record)
    {
        _unverified++;
        _anchors.Remove(record.Sequence);
        _checkpoints.Remove(record.Sequence);
        _first ??= record.Sequence;
    }

    private bool Fail(long sequence, string problem)
    {
        _break = new AuditBreak(sequence, problem);
        return false;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Acknowledgement(AuditRecord Record, AuditTamperFinding Finding)
    {
        public long From => Finding.From ?? long.MaxValue;

        // The records not trusted end before the acknowledgement itself, which links to the stored tail as it was.
        public long Through => Math.Min(Finding.Through ?? long.MinValue, Record.Sequence - 1);
    }
}
