using System.Globalization;

namespace Shield.Core.Auditing;

/// <summary>
/// Recomputes the chain one record at a time, in sequence order, so a trail of any length is checked in constant
/// memory. Detects an edited record (its hash no longer matches its content), one written without the chain key (no
/// valid seal), a deleted one (a gap in the sequence), reordered or inserted ones (a link that does not match the
/// record before), a rewritten stretch (a record that differs from a signed checkpoint or anchor taken when it was
/// written), and a truncated tail (a checkpoint or anchor the records no longer reach). Checkpoints and anchors count
/// only when signed with the key in force at the record they name. A trail whose oldest records were pruned starts
/// after 1: it verifies only if a sealed <c>audit.pruned</c> record in it says exactly where the pruning stopped, and
/// from there it is checked with the key that record names. A trail that starts at record 1 may hold unsealed records
/// only before its first <c>audit.sealing</c> record (a trail upgraded in place). A break that a sealed
/// <c>audit.tamper-detected</c> record acknowledges is reported as such, and the check goes on after it. Pure: the
/// caller reads the records, checkpoints and anchors.
/// </summary>
public sealed class AuditChainVerifier
{
    private readonly IReadOnlyList<AuditChainKey> _keys;
    private readonly List<Acknowledgement> _acknowledgements = [];
    private readonly List<(AuditRecord Record, AuditPruning Pruning)> _prunings = [];
    private readonly List<AcknowledgedBreak> _acknowledged = [];
    private readonly List<string> _warnings = [];
    private readonly List<RecordedGap> _gaps = [];
    private readonly Dictionary<long, AuditCheckpoint> _checkpoints = [];
    private readonly Dictionary<long, AuditAnchor> _anchors = [];
    private int _checkpointCount;
    private int _anchorCount;
    private bool _covered;
    private AuditBreak? _break;
    private long _checked;
    private long _unverified;
    private long? _first;
    private long? _last;
    private string? _lastHash;
    private long? _vouchedBy;
    private AuditChainKey? _sealKey;
    private long? _sealedFrom;
    private Acknowledgement? _skipping;

    /// <param name="keys">The chain keys this Shield holds: they sealed the records and signed checkpoints and anchors.</param>
    /// <param name="trailEvents">
    /// The trail's own <c>audit.tamper-detected</c> and <c>audit.pruned</c> records, read ahead; only those sealed
    /// with a held key count, and each is checked again in its place.
    /// </param>
    public AuditChainVerifier(IReadOnlyList<AuditChainKey> keys, IEnumerable<AuditRecord>? trailEvents = null)
    {
        _keys = keys;
        foreach (var record in trailEvents ?? [])
        {
            if (AuditChain.ComputeHash(record) != record.Hash || !_keys.Any(k => AuditChain.HasValidSeal(k, record)))
            {
                continue;
            }

            if (AuditTamperFinding.Read(record) is { } finding)
            {
                _acknowledgements.Add(new Acknowledgement(record, finding));
            }
            else if (AuditPruning.Read(record) is { } pruning)
            {
                _prunings.Add((record, pruning));
            }
        }
    }

    /// <summary>Starts after a record already known good (the tail check after the last anchor): its hash and the key in force.</summary>
    public void StartAfter(long sequence, string hash, AuditChainKey? sealKey)
    {
        _last = sequence;
        _lastHash = hash;
        _sealKey = sealKey;
        _covered = true;
    }

    public bool IsBroken => _break is not null;

    /// <summary>
    /// Feeds a checkpoint from the database. Feed each before the record it names, in sequence order (a page ahead of
    /// the records is enough), so memory holds only the checkpoints of records not yet read. Its signature is checked
    /// when its record is reached, with the key in force there.
    /// </summary>
    public void AddCheckpoint(AuditCheckpoint checkpoint)
    {
        _checkpointCount++;
        if (checkpoint.Sequence > (_last ?? 0))
        {
            _checkpoints[checkpoint.Sequence] = checkpoint;
        }
    }

    /// <summary>Feeds a line of the anchor file still in force (<see cref="AuditAnchor.InForce"/>), in file order, like checkpoints.</summary>
    public void AddAnchor(AuditAnchor anchor)
    {
        _anchorCount++;
        if (anchor.Kind == AuditAnchorKind.Unreadable)
        {
            // A write cut short by a crash or a full disk: say so, and check everything else.
            _warnings.Add($"Line {N(anchor.Line)} of the anchor file cannot be read (a write cut short, or the file was altered); it was skipped.");
            return;
        }

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

        if (_last is null && !Start(record))
        {
            return false;
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

        if ((Problem(record) ?? Sealing(record) ?? Anchored(record)) is { } problem)
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

        if (AuditGap.Read(record) is { } gap)
        {
            _gaps.Add(new RecordedGap(record.Sequence, gap.FromUtc, gap.ToUtc, gap.Records, gap.Calls, gap.Cause));
        }

        if (AuditTamperFinding.Read(record) is { MissingFrom: { } missingFrom } missing)
        {
            _acknowledged.Add(new AcknowledgedBreak(missingFrom, missing.MissingThrough ?? missingFrom, missing.Problem,
                record.Sequence, record.ActorName, record.Reason));
        }

        _first ??= record.Sequence;
        _last = record.Sequence;
        _lastHash = record.Hash;
        _checked++;
        return true;
    }

    public AuditVerification Finish()
    {
        if (_break is null && _vouchedBy is { } vouchedBy && (_last ?? 0) < vouchedBy)
        {
            _break = new AuditBreak((_last ?? 0) + 1, $"The trail ends before record {N(vouchedBy)}, the pruning record that vouches for its start: records were deleted.");
        }

        // What the records no longer reach: a cut tail, when a held key signed it; a forgery otherwise.
        foreach (var anchor in _anchors.Values.Where(a => a.Sequence > (_last ?? 0)).OrderBy(a => a.Sequence))
        {
            _break ??= _keys.Any(anchor.IsSignedBy)
                ? new AuditBreak((_last ?? 0) + 1, $"The trail ends at record {N(_last ?? 0)}, but the anchor file shows record {N(anchor.Sequence)} was written: the tail was cut off.")
                : new AuditBreak(anchor.Sequence, $"Line {N(anchor.Line)} of the anchor file is not signed with a key this Shield holds: the anchor file was altered.");
        }

        foreach (var checkpoint in _checkpoints.Values.Where(c => c.Sequence > (_last ?? 0)).OrderBy(c => c.Sequence))
        {
            _break ??= _keys.Any(k => AuditChain.HasValidSignature(k.Bytes, checkpoint))
                ? new AuditBreak((_last ?? 0) + 1, $"The trail ends at record {N(_last ?? 0)}, but a signed checkpoint shows record {N(checkpoint.Sequence)} was written: the tail was truncated.")
                : new AuditBreak(checkpoint.Sequence, $"The checkpoint at record {N(checkpoint.Sequence)} is not signed with Shield's audit key: it was forged or altered.");
        }

        if (_break is null && _checked > 0 && !_covered && _sealedFrom is null)
        {
            _break = new AuditBreak(_first ?? 1, "No signed checkpoint covers the trail: its checkpoints were deleted, or it was written without Shield's key.");
        }

        return new AuditVerification(_break is null, _checked, _first, _last, _lastHash, _checkpointCount, _break)
        {
            AnchorsChecked = _anchorCount,
            SealedFrom = _sealedFrom,
            Acknowledged = _acknowledged,
            RecordsUnverified = _unverified,
            Gaps = _gaps,
            Warnings = _warnings,
        };
    }

    // The first record read: record 1 starts the chain; a later one must be vouched for by a sealed pruning record,
    // which also names the key the trail is sealed with from there.
    private bool Start(AuditRecord record)
    {
        if (record.Sequence <= 1)
        {
            return true;
        }

        var vouch = _prunings.LastOrDefault(p => p.Pruning.Through == record.Sequence - 1 && p.Pruning.Hash == record.PrevHash);
        if (vouch.Record is null)
        {
            return Fail(record.Sequence, _prunings.Count == 0
                ? $"The trail starts at record {N(record.Sequence)}, but no sealed record says earlier ones were pruned: records 1 to {N(record.Sequence - 1)} were deleted."
                : $"The trail starts at record {N(record.Sequence)}, but the last pruning stopped at record {N(_prunings[^1].Pruning.Through)}: records were deleted or put back.");
        }

        _last = record.Sequence - 1;
        _lastHash = record.PrevHash;
        _vouchedBy = vouch.Record.Sequence;
        if (vouch.Pruning.SealKeyId is { } keyId)
        {
            _sealKey = _keys.FirstOrDefault(k => k.Id == keyId);
            _sealedFrom = record.Sequence;
            if (_sealKey is null)
            {
                return Fail(record.Sequence, $"Records from {N(record.Sequence)} are sealed with a key this Shield does not hold ({keyId}): configure that key to check them.");
            }
        }

        return true;
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
                return new AuditBreak(record.Sequence,
                    $"Record {N(record.Sequence)} names a chain key this Shield does not hold ({sealing.KeyId}): {ConfigureOrForged}.");
            }
        }

        if ((_sealKey is not null || record.EventType == AuditEventTypes.Sealing) && (sealKey is null || !AuditChain.HasValidSeal(sealKey, record)))
        {
            return new AuditBreak(record.Sequence, record.Seal is null
                ? $"Record {N(record.Sequence)} carries no seal, though the trail is sealed from record {N(_sealedFrom ?? record.Sequence)}: it was written without Shield's chain key."
                : $"Record {N(record.Sequence)} carries a seal Shield's chain key did not make: it was forged or rewritten.");
        }

        return null;
    }

    // A sealing record hands the chain on to the key it names, from the next record on.
    private AuditBreak? Sealing(AuditRecord record)
    {
        if (record.EventType != AuditEventTypes.Sealing || AuditSealing.Read(record) is not { } sealing)
        {
            return null;
        }

        _sealKey = _keys.FirstOrDefault(k => k.Id == sealing.KeyId);
        _sealedFrom ??= record.Sequence + 1;
        return _sealKey is null
            ? new AuditBreak(record.Sequence + 1, $"Records after {N(record.Sequence)} are sealed with a key this Shield does not hold ({sealing.KeyId}): {ConfigureOrForged}.")
            : null;
    }

    // The checkpoint and anchor of this record, signed with the key in force here (any held key before sealing began).
    private AuditBreak? Anchored(AuditRecord record)
    {
        if (_anchors.Remove(record.Sequence, out var anchor))
        {
            if (!(_sealKey is { } key ? anchor.IsSignedBy(key) : _keys.Any(anchor.IsSignedBy)))
            {
                return new AuditBreak(record.Sequence, $"Line {N(anchor.Line)} of the anchor file is not signed with Shield's audit key: the anchor file was altered.");
            }

            if (!string.Equals(anchor.Hash, record.Hash, StringComparison.Ordinal))
            {
                return new AuditBreak(record.Sequence,
                    $"Record {N(record.Sequence)} differs from the anchor written when it was committed (anchor file, line {N(anchor.Line)}): the trail was rewritten.");
            }

            _covered = true;
        }

        if (_checkpoints.Remove(record.Sequence, out var checkpoint))
        {
            if (!(_sealKey is { } key ? AuditChain.HasValidSignature(key.Bytes, checkpoint) : _keys.Any(k => AuditChain.HasValidSignature(k.Bytes, checkpoint))))
            {
                return new AuditBreak(record.Sequence, $"The checkpoint at record {N(record.Sequence)} is not signed with Shield's audit key: it was forged or altered.");
            }

            if (!string.Equals(checkpoint.Hash, record.Hash, StringComparison.Ordinal))
            {
                return new AuditBreak(record.Sequence, $"Record {N(record.Sequence)} differs from the signed checkpoint taken when it was written: the trail was rewritten.");
            }

            _covered = true;
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

    private const string ConfigureOrForged = "Shield:Audit:KeyFile (or PreviousKeyFiles) must hold it, or the record was forged";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Acknowledgement(AuditRecord Record, AuditTamperFinding Finding)
    {
        public long From => Finding.From ?? long.MaxValue;

        // The records not trusted end before the acknowledgement itself, which links to the stored tail as it was.
        public long Through => Math.Min(Finding.Through ?? long.MinValue, Record.Sequence - 1);
    }
}
