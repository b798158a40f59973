using System.Security.Cryptography;
using System.Text.Json;
using Shield.Core.Auditing;
using Shield.Core.Json;

namespace Shield.Tests.Core.Auditing;

public sealed class AuditChainTests
{
    private static readonly AuditChainKey ChainKey = AuditChainKey.Of(RandomNumberGenerator.GetBytes(32), AuditKeySource.File);
    private static readonly byte[] Key = ChainKey.Bytes;
    private static readonly DateTime Start = new(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void CanonicalText_IsJcs_WithEveryFieldButTheHashAndSeal()
    {
        var record = Records(1)[0];

        var text = AuditChain.CanonicalText(record);
        var parsed = JsonDocument.Parse(text).RootElement;

        Assert.Equal(CanonicalJson.Serialize(parsed), text);
        Assert.False(parsed.TryGetProperty("hash", out _));
        Assert.False(parsed.TryGetProperty("seal", out _));
        Assert.Equal(typeof(AuditRecord).GetProperties().Length - 2, parsed.EnumerateObject().Count());
        Assert.Equal("2026-11-24T08:00:00.0000000Z", parsed.GetProperty("atUtc").GetString());
    }

    [Fact]
    public void FieldNamesAndValues_FollowTheCanonicalForm()
    {
        var record = Records(1)[0];
        var parsed = JsonDocument.Parse(AuditChain.CanonicalText(record)).RootElement;

        Assert.Equal(parsed.EnumerateObject().Select(p => p.Name), AuditFields.Names);
        Assert.Equal(parsed.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.ToString()), AuditFields.Values(record));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TheHash_IsTheSha256OfTheCanonicalText_EvenWhenCharactersStraddleTheBuildersChunks(int offset)
    {
        var record = Records(1)[0];
        record.Task = new string('x', offset) + string.Concat(Enumerable.Repeat("\ud83d\ude00 caf\u00e9 ", 2_000));

        var expected = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(AuditChain.CanonicalText(record))));

        Assert.Equal(expected, AuditChain.ComputeHash(record));
    }

    [Fact]
    public void AnIntactChain_Verifies_WithItsCheckpoints()
    {
        var records = Records(10);

        var result = Verify(records, Checkpoint(records[4]), Checkpoint(records[9]));

        Assert.True(result.Intact);
        Assert.Equal(10, result.RecordsChecked);
        Assert.Equal(10, result.LastSequence);
        Assert.Equal(2, result.CheckpointsChecked);
    }

    public static TheoryData<string, long, string> Tampering => new()
    {
        { "edit", 4, "was altered" },
        { "delete", 4, "record 4 is missing" },
        { "reorder", 4, "does not link" },
        { "insert", 5, "does not link" },
        { "truncate", 9, "tail was truncated" },
        { "rewrite", 4, "does not link" },
        { "rewrite-all", 1, "signed checkpoint" },
        { "forge-checkpoint", 10, "not signed" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public void EveryKindOfTampering_IsDetected_AtTheFirstBrokenLink(string tampering, long brokenAt, string problem)
    {
        var records = Records(10);
        List<AuditCheckpoint> checkpoints = [Checkpoint(records[9])];
        switch (tampering)
        {
            case "edit":
                records[3].Outcome = "success";
                break;
            case "delete":
                records.RemoveAt(3);
                break;
            case "reorder":
                // Swap two records' contents but keep the sequence numbers in order, as an attacker editing rows would.
                (records[3], records[4]) = (records[4], records[3]);
                (records[3].Sequence, records[4].Sequence) = (4, 5);
                break;
            case "insert":
                var forged = Record(4, "tool-call.allowed");
                AuditChain.Link(forged, 4, records[2].Hash);
                records.Insert(3, forged);
                for (var i = 4; i < records.Count; i++)
                {
                    records[i].Sequence++;
                }

                break;
            case "truncate":
                records.RemoveRange(8, 2);
                break;
            case "rewrite":
                // Alter record 3 and fix its hash: the next record no longer links to it.
                records[2].Tool = "other";
                records[2].Hash = AuditChain.ComputeHash(records[2]);
                break;
            case "rewrite-all":
                // Alter record 1 and recompute every hash after it: only the signed checkpoint can tell.
                records[0].ActorName = "someone else";
                var previous = AuditChain.Genesis;
                foreach (var record in records)
                {
                    AuditChain.Link(record, record.Sequence, previous);
                    previous = record.Hash;
                }

                brokenAt = 10;
                break;
            case "forge-checkpoint":
                checkpoints.Add(new AuditCheckpoint { Sequence = 10, Hash = records[9].Hash, AtUtc = Start, Signature = new string('a', 64) });
                break;
        }

        var result = Verify(records, [.. checkpoints]);

        Assert.False(result.Intact);
        Assert.Equal(brokenAt, result.FirstBrokenLink!.Sequence);
        Assert.Contains(problem, result.FirstBrokenLink.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEmptyTrail_IsIntact_UnlessACheckpointSaysRecordsExisted()
    {
        Assert.True(Verify([]).Intact);

        var records = Records(3);
        var result = Verify([], Checkpoint(records[2]));

        Assert.False(result.Intact);
        Assert.Contains("truncated", result.FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5, 5, true, null)]
    [InlineData(6, 5, false, "last pruning stopped at record 5")]
    [InlineData(5, null, false, "no sealed record says earlier ones were pruned")]
    public void APrunedTrail_VerifiesOnlyFromWhereItsPruningRecordSaysItStops(int deletedThrough, int? prunedThrough, bool intact, string? problem)
    {
        var records = Records(10);
        if (prunedThrough is { } through)
        {
            var pruning = Record(11, AuditEventTypes.Pruned);
            pruning.After = new AuditPruning(through, records[through - 1].Hash, Start, through).ToJson();
            AuditChain.Link(pruning, 11, records[9].Hash, ChainKey);
            records.Add(pruning);
        }

        var result = Verify([.. records.Skip(deletedThrough)], records.Where(r => r.EventType == AuditEventTypes.Pruned).ToList(), Checkpoint(records[^1]));

        Assert.Equal(intact, result.Intact);
        if (problem is not null)
        {
            Assert.Contains(problem, result.FirstBrokenLink!.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void APruningRecordWithoutAValidSeal_VouchesForNothing()
    {
        // Records 1 to 5 deleted, and a "pruning" record forged onto the end with a valid plain hash, but no key to seal it.
        var records = Records(10);
        var forged = Record(11, AuditEventTypes.Pruned);
        forged.After = new AuditPruning(5, records[4].Hash, Start, 5).ToJson();
        AuditChain.Link(forged, 11, records[9].Hash);
        records.Add(forged);

        var result = Verify([.. records.Skip(5)], [forged], Checkpoint(records[9]));

        Assert.False(result.Intact);
        Assert.Contains("no sealed record says", result.FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ATrailWithoutAnyCheckpoint_IsNotTrusted()
    {
        var result = Verify(Records(3));

        Assert.False(result.Intact);
        Assert.Contains("No signed checkpoint", result.FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ArgumentsFingerprint_IgnoresFormatting_AndDependsOnTheKey()
    {
        var compact = JsonDocument.Parse("{\"to\":\"a@b.test\",\"n\":1}").RootElement;
        var spaced = JsonDocument.Parse("{ \"n\" : 1.0, \"to\" : \"a@b.test\" }").RootElement;

        Assert.Equal(ArgumentsFingerprint.Of(Key, compact), ArgumentsFingerprint.Of(Key, spaced));
        Assert.NotEqual(ArgumentsFingerprint.Of(Key, compact), ArgumentsFingerprint.Of(RandomNumberGenerator.GetBytes(32), compact));
        Assert.NotEqual(ArgumentsFingerprint.Of(Key, compact), ArgumentsFingerprint.Of(Key, null));
        Assert.Matches("^[0-9a-f]{64}$", ArgumentsFingerprint.Of(Key, compact));
    }

    private static AuditVerification Verify(List<AuditRecord> records, params AuditCheckpoint[] checkpoints) => Verify(records, [], checkpoints);

    private static AuditVerification Verify(List<AuditRecord> records, List<AuditRecord> trailEvents, params AuditCheckpoint[] checkpoints)
    {
        var verifier = new AuditChainVerifier([ChainKey], trailEvents);
        foreach (var checkpoint in checkpoints.OrderBy(c => c.Sequence))
        {
            verifier.AddCheckpoint(checkpoint);
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

    private static AuditCheckpoint Checkpoint(AuditRecord record) => new()
    {
        Sequence = record.Sequence,
        Hash = record.Hash,
        AtUtc = Start,
        Signature = AuditChain.Sign(Key, AuditChain.CheckpointText(record.Sequence, record.Hash, Start)),
    };

    private static List<AuditRecord> Records(int count)
    {
        List<AuditRecord> records = [];
        var previous = AuditChain.Genesis;
        for (var sequence = 1; sequence <= count; sequence++)
        {
            var record = Record(sequence, sequence % 2 == 0 ? AuditEventTypes.CallAllowed : AuditEventTypes.Governance);
            AuditChain.Link(record, sequence, previous);
            previous = record.Hash;
            records.Add(record);
        }

        return records;
    }

    private static AuditRecord Record(int n, string eventType) => new()
    {
        AtUtc = Start.AddSeconds(n - 1),
        EventType = eventType,
        ActorKind = "agent",
        ActorId = "bot-1",
        ActorName = "Bot \"one\" \u00e9",
        SessionId = Guid.Parse("5f1c4d6e-1111-4222-8333-944455556666"),
        Task = "nightly report",
        Server = "files",
        Tool = "read_file",
        ArgumentsFingerprint = new string('f', 64),
        Decision = "allow",
        Outcome = "ok",
        DurationMicroseconds = 1234 + n,
        TraceId = "0af7651916cd43dd8448eb211c80319c",
        SpanId = "b7ad6b7169203331",
    };
}
