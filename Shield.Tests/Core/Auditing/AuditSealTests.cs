using System.Security.Cryptography;
using Shield.Core.Auditing;

namespace Shield.Tests.Core.Auditing;

/// <summary>
/// The sealed chain against someone who can write every row but holds no chain key: whatever they recompute, their
/// records carry no seal the key made; anchors outside the database catch a cut tail; acknowledged breaks are reported
/// and checked around.
/// </summary>
public sealed class AuditSealTests
{
    private static readonly AuditChainKey FileKey = AuditChainKey.Of(RandomNumberGenerator.GetBytes(32), AuditKeySource.File);
    private static readonly AuditChainKey DatabaseKey = AuditChainKey.Of(RandomNumberGenerator.GetBytes(32), AuditKeySource.Database);
    private static readonly DateTime Start = new(2026, 12, 6, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void ASealedTrail_Verifies_AndSaysWhereSealingBegan()
    {
        var records = Trail(unsealed: 3, sealedAfter: 5);

        var result = Verify(records);

        Assert.True(result.Intact, result.FirstBrokenLink?.Problem);
        Assert.Equal(5, result.SealedFrom);
        Assert.Equal(9, result.RecordsChecked);
    }

    [Fact]
    public void ARecordRewrittenWithAValidPlainHash_IsCaughtByItsSeal()
    {
        var records = Trail(unsealed: 0, sealedAfter: 6);
        records[3].Outcome = "denied";
        Relink(records, from: 3); // every hash after it recomputed, as anyone can

        var result = Verify(records);

        Assert.False(result.Intact);
        Assert.Equal(4, result.FirstBrokenLink!.Sequence);
        Assert.Contains("carries a seal Shield's chain key did not make", result.FirstBrokenLink.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AForgedRecordAppendedWithAValidPlainHash_IsCaught()
    {
        var records = Trail(unsealed: 0, sealedAfter: 4);
        var forged = Record(6, AuditEventTypes.CallAllowed);
        AuditChain.Link(forged, 6, records[^1].Hash); // no key: no seal
        records.Add(forged);

        var result = Verify(records);

        Assert.False(result.Intact);
        Assert.Equal(6, result.FirstBrokenLink!.Sequence);
        Assert.Contains("carries no seal", result.FirstBrokenLink.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ASealingRecordNamingAKeyShieldDoesNotHold_IsReported()
    {
        var records = Trail(unsealed: 2, sealedAfter: 2);
        var stranger = AuditChainKey.Of(RandomNumberGenerator.GetBytes(32), AuditKeySource.File);
        var records2 = Trail(unsealed: 2, sealedAfter: 2, key: stranger);

        var result = Verify(records2);

        Assert.False(result.Intact);
        Assert.Contains("does not hold", result.FirstBrokenLink!.Problem, StringComparison.Ordinal);
        Assert.True(Verify(records).Intact);
    }

    [Fact]
    public void AKeyHandedOver_VerifiesWithBothKeys_AndTheHandoverIsSealedWithTheOldOne()
    {
        var records = Trail(unsealed: 0, sealedAfter: 3, key: DatabaseKey);
        var handover = Sealing(records.Count + 1, FileKey, previous: DatabaseKey);
        AuditChain.Link(handover, records.Count + 1, records[^1].Hash, DatabaseKey);
        records.Add(handover);
        Append(records, 3, FileKey);

        Assert.True(Verify(records).Intact);

        // A database attacker holding only the database key cannot hand the chain over to a key of their own.
        var attacker = AuditChainKey.Of(RandomNumberGenerator.GetBytes(32), AuditKeySource.File);
        var forged = Trail(unsealed: 0, sealedAfter: 3, key: DatabaseKey);
        var takeover = Sealing(forged.Count + 1, attacker, previous: DatabaseKey);
        AuditChain.Link(takeover, forged.Count + 1, forged[^1].Hash, DatabaseKey);
        forged.Add(takeover);
        Append(forged, 2, attacker);
        Assert.Contains("does not hold", Verify(forged).FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ATailCutOffWithItsCheckpoints_IsCaughtByTheAnchorFile()
    {
        var records = Trail(unsealed: 0, sealedAfter: 10);
        var anchor = Anchor(AuditAnchorKind.Checkpoint, records[^1], line: 1);

        var result = Verify(records[..6], anchors: [anchor]);

        Assert.False(result.Intact);
        Assert.Contains("the anchor file shows record 11 was written: the tail was cut off", result.FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ATrailRewrittenUnderAnAnchor_IsCaught_EvenWhenResealedWithTheDatabaseKey()
    {
        // An attacker who could read the database key re-seals a rewritten suffix: the anchor outside the database holds.
        var records = Trail(unsealed: 0, sealedAfter: 8, key: DatabaseKey);
        var anchor = Anchor(AuditAnchorKind.Checkpoint, records[6], line: 1, DatabaseKey);
        records[4].Outcome = "denied";
        Relink(records, from: 4, DatabaseKey);

        var result = Verify(records, anchors: [anchor], keys: [DatabaseKey]);

        Assert.False(result.Intact);
        Assert.Equal(7, result.FirstBrokenLink!.Sequence);
        Assert.Contains("differs from the anchor written when it was committed (anchor file, line 1)", result.FirstBrokenLink.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnchorLineAltered_IsABreak_AndOneCutShort_AWarning()
    {
        var records = Trail(unsealed: 0, sealedAfter: 4);
        var forged = Anchor(AuditAnchorKind.Checkpoint, records[2], line: 3) with { Hash = records[1].Hash };

        Assert.Contains("line 3 of the anchor file is not signed", Verify(records, anchors: [forged]).FirstBrokenLink!.Problem, StringComparison.OrdinalIgnoreCase);
        // A line cut short (a crash, a full disk) is a warning: it must not hide what the rest of the trail shows.
        var torn = Verify(records, anchors: [AuditAnchor.Parse("{not json", 2)]);
        Assert.True(torn.Intact);
        Assert.Contains("Line 2 of the anchor file cannot be read", Assert.Single(torn.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void AnchorLines_RoundTrip_AndAResetVoidsEarlierLinesOfLaterRecords()
    {
        var records = Trail(unsealed: 0, sealedAfter: 6);
        var early = Anchor(AuditAnchorKind.Checkpoint, records[2], line: 1);
        var late = Anchor(AuditAnchorKind.Checkpoint, records[6], line: 2);
        var reset = Anchor(AuditAnchorKind.Reset, records[3], line: 3);
        var after = Anchor(AuditAnchorKind.Checkpoint, records[5], line: 4);

        var parsed = AuditAnchor.Parse(late.ToLine(), 2);
        var inForce = AuditAnchor.InForce([reset], [early, late, reset, after]).ToList();

        Assert.Equal(late, parsed);
        Assert.True(parsed.IsSignedBy(FileKey));
        Assert.Equal([early, after], inForce);
    }

    [Fact]
    public void AnAcknowledgedBreak_IsReported_AndTheTrailIsCheckedOnAfterIt()
    {
        // Records 5 and 6 were forged onto the tail; at the next start Shield found them and an administrator went on.
        var records = Trail(unsealed: 0, sealedAfter: 3);
        foreach (var sequence in new[] { 5, 6 })
        {
            var forged = Record(sequence, AuditEventTypes.CallAllowed);
            AuditChain.Link(forged, sequence, records[^1].Hash);
            records.Add(forged);
        }

        var acknowledgement = Record(7, AuditEventTypes.TamperDetected);
        acknowledgement.ActorName = "admin@bank.test";
        acknowledgement.Reason = "Forged rows found at start; investigated under INC-42.";
        acknowledgement.After = new AuditTamperFinding("Records written since the last anchor do not verify", 5, 6).ToJson();
        AuditChain.Link(acknowledgement, 7, records[^1].Hash, FileKey);
        records.Add(acknowledgement);
        Append(records, 2, FileKey);

        var result = Verify(records, acknowledgements: [acknowledgement]);

        Assert.True(result.Intact, result.FirstBrokenLink?.Problem);
        var known = Assert.Single(result.Acknowledged);
        Assert.Equal((5L, 6L, 7L), (known.From, known.Through, known.AcknowledgedIn));
        Assert.Equal("admin@bank.test", known.AcknowledgedBy);
        Assert.Equal(2, result.RecordsUnverified);

        // Later tampering is still found.
        records[8].Outcome = "denied";
        Assert.Equal(9, Verify(records, acknowledgements: [acknowledgement]).FirstBrokenLink!.Sequence);

        // An acknowledgement written without the key acknowledges nothing.
        var unsealed = Record(7, AuditEventTypes.TamperDetected);
        unsealed.After = acknowledgement.After;
        AuditChain.Link(unsealed, 7, records[5].Hash);
        Assert.Equal(5, Verify(records, acknowledgements: [unsealed]).FirstBrokenLink!.Sequence);
    }

    [Fact]
    public void TheSeal_IsTheHmacOfTheHash_AndTheKeyIdRevealsNothingOfTheKey()
    {
        var record = Trail(unsealed: 0, sealedAfter: 1)[1];

        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(FileKey.Bytes, System.Text.Encoding.ASCII.GetBytes("shield-audit-seal:" + record.Hash)));

        Assert.Equal(expected, record.Seal);
        Assert.Matches("^[0-9a-f]{16}$", FileKey.Id);
        Assert.DoesNotContain(FileKey.Id, Convert.ToHexStringLower(FileKey.Bytes), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AuditChainKey.Of(new byte[16], AuditKeySource.File));
    }

    [Fact]
    public void ACheckpointOrAnchorSignedWithTheDatabaseKey_AfterTheHandoverToAKeyFile_CountsForNothing()
    {
        // Whoever reads the database key can sign with it; once a key file seals the trail, that key vouches for nothing new.
        var records = Trail(unsealed: 0, sealedAfter: 2, key: DatabaseKey);
        var handover = Sealing(records.Count + 1, FileKey, previous: DatabaseKey);
        AuditChain.Link(handover, records.Count + 1, records[^1].Hash, DatabaseKey);
        records.Add(handover);
        Append(records, 3, FileKey);
        var late = records[^1];
        var checkpoint = new AuditCheckpoint
        {
            Sequence = late.Sequence, Hash = late.Hash, AtUtc = Start,
            Signature = AuditChain.Sign(DatabaseKey.Bytes, AuditChain.CheckpointText(late.Sequence, late.Hash, Start)),
        };

        var verifier = new AuditChainVerifier([FileKey, DatabaseKey]);
        verifier.AddCheckpoint(checkpoint);
        verifier.AddAnchor(Anchor(AuditAnchorKind.Checkpoint, late, line: 1, DatabaseKey));
        records.ForEach(r => verifier.Add(r));

        Assert.Contains("not signed with Shield's audit key", verifier.Finish().FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void APrunedTrail_IsCheckedWithTheKeyItsPruningRecordNames_AndAnUnsealedPruningRecordVouchesForNothing()
    {
        // Records 1 to 6 pruned (the sealing record with them); the pruning record names the key that seals the rest.
        var records = Trail(unsealed: 0, sealedAfter: 9);
        var pruning = Record(11, AuditEventTypes.Pruned);
        pruning.After = new AuditPruning(6, records[5].Hash, Start, 6, SealKeyId: FileKey.Id).ToJson();
        AuditChain.Link(pruning, 11, records[^1].Hash, FileKey);
        records.Add(pruning);
        var kept = records.Skip(6).ToList();

        Assert.True(Verify(kept, acknowledgements: [pruning]).Intact);

        var forged = Record(12, AuditEventTypes.CallAllowed);
        AuditChain.Link(forged, 12, pruning.Hash);
        Assert.Contains("carries no seal", Verify([.. kept, forged], acknowledgements: [pruning]).FirstBrokenLink!.Problem, StringComparison.Ordinal);

        var unsealed = Record(11, AuditEventTypes.Pruned);
        unsealed.After = pruning.After;
        AuditChain.Link(unsealed, 11, records[9].Hash);
        Assert.Contains("no sealed record says earlier ones were pruned", Verify([.. records.Skip(6).Take(4), unsealed], acknowledgements: [unsealed]).FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    // acknowledgements: the trail's own events read ahead (audit.tamper-detected, audit.pruned).
    private static AuditVerification Verify(
        List<AuditRecord> records, List<AuditAnchor>? anchors = null, List<AuditRecord>? acknowledgements = null, List<AuditChainKey>? keys = null)
    {
        var verifier = new AuditChainVerifier(keys ?? [FileKey, DatabaseKey], acknowledgements);
        foreach (var anchor in anchors ?? [])
        {
            verifier.AddAnchor(anchor);
        }

        foreach (var record in records)
        {
            if (!verifier.Add(record))
            {
                break;
            }
        }

        return verifier.Finish();
    }

    // Unsealed records, a sealing record, then sealed records: as a trail upgraded in place looks.
    private static List<AuditRecord> Trail(int unsealed, int sealedAfter, AuditChainKey? key = null)
    {
        key ??= FileKey;
        List<AuditRecord> records = [];
        var previous = AuditChain.Genesis;
        for (var sequence = 1; sequence <= unsealed; sequence++)
        {
            var record = Record(sequence, AuditEventTypes.CallAllowed);
            AuditChain.Link(record, sequence, previous);
            previous = record.Hash;
            records.Add(record);
        }

        var sealing = Sealing(unsealed + 1, key, previous: null);
        AuditChain.Link(sealing, unsealed + 1, previous, key);
        records.Add(sealing);
        Append(records, sealedAfter, key);
        return records;
    }

    private static void Append(List<AuditRecord> records, int count, AuditChainKey key)
    {
        for (var i = 0; i < count; i++)
        {
            var sequence = records[^1].Sequence + 1;
            var record = Record(sequence, AuditEventTypes.CallCompleted);
            AuditChain.Link(record, sequence, records[^1].Hash, key);
            records.Add(record);
        }
    }

    private static void Relink(List<AuditRecord> records, int from, AuditChainKey? key = null)
    {
        for (var i = from; i < records.Count; i++)
        {
            // Without the key, the old seal stays: the only one the attacker has.
            var seal = records[i].Seal;
            AuditChain.Link(records[i], records[i].Sequence, records[i - 1].Hash, key);
            records[i].Seal = key is null ? seal : records[i].Seal;
        }
    }

    private static AuditRecord Sealing(long sequence, AuditChainKey key, AuditChainKey? previous)
    {
        var record = Record(sequence, AuditEventTypes.Sealing);
        record.After = new AuditSealing(key.Id, key.Source == AuditKeySource.File ? "file" : "database", previous?.Id).ToJson();
        return record;
    }

    private static AuditAnchor Anchor(AuditAnchorKind kind, AuditRecord record, long line, AuditChainKey? key = null) =>
        AuditAnchor.Signed(kind, record.Sequence, record.Hash, Start, key ?? FileKey) with { Line = line };

    private static AuditRecord Record(long n, string eventType) => new()
    {
        AtUtc = Start.AddSeconds(n),
        EventType = eventType,
        ActorKind = "agent",
        ActorId = "bot-1",
        ActorName = "bot-1",
        Tool = "read_file",
        Outcome = "ok",
    };
}
