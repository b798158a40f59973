using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Core.Siem;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

/// <summary>
/// Someone with write access to a stopped Shield's SQLite file, but none of its keys, tampers with the trail in every
/// way they can; at the next start <c>verify</c> and the offline checker each say what happened.
/// </summary>
public sealed class TrailTamperingTests
{
    private const int Calls = 12;
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string?> Tampering => new()
    {
        // tampering, what verify says, what the offline checker says (null: the export does not show it)
        { "edit-one-field", "Record 8 was altered: its content no longer matches its hash", "record 8 was altered" },
        { "edit-and-rehash", "Record 8 carries a seal Shield's chain key did not make", "record 8 carries no seal made by the key given" },
        { "rehash-suffix", "Record 8 carries a seal Shield's chain key did not make", "record 8 carries no seal made by the key given" },
        { "rehash-suffix-and-delete-checkpoints", "Record 8 carries a seal Shield's chain key did not make", "record 8 carries no seal made by the key given" },
        { "delete", "The trail has a gap: record 8 is missing", "record 8 is missing" },
        { "swap", "Record 8 does not link to the record before it", "record 8 does not link to record 7" },
        { "insert", "Record 8 carries no seal", "record 8 carries no seal made by the key given" },
        { "append-forged", "carries no seal", "carries no seal made by the key given" },
        { "cut-tail-with-checkpoints", "the anchor file shows record", "the trail was cut off or the record deleted" },
        { "cut-tail", "the anchor file shows record", "the trail was cut off or the record deleted" },
        { "forge-checkpoint", "is not signed with Shield's audit key: it was forged or altered", null },
        { "wipe-and-forge-pruning", "no sealed record says earlier ones were pruned", "the pruning record that vouches for the export's start, is not sealed with the key given" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task EveryKindOfTampering_IsReportedByVerify_AndByTheOfflineChecker(string tampering, string verifyProblem, string? offlineProblem)
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
        }

        await TamperAsync(folder, tampering);

        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);

        Assert.False(report.Intact);
        Assert.Contains(verifyProblem, report.FirstBrokenLink!.Problem, StringComparison.Ordinal);
        var (exit, output) = await CheckOfflineAsync(app, folder);
        if (offlineProblem is null)
        {
            Assert.True(exit == 0, output);
        }
        else
        {
            Assert.True(exit == 1, output);
            Assert.Contains(offlineProblem, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AnUntouchedTrail_VerifiesOnline_AndOffline_WithItsSealsAndAnchors()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
        }

        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);

        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        Assert.True(report.AnchorsChecked > 0);
        Assert.NotNull(report.SealedFrom);
        var (exit, output) = await CheckOfflineAsync(app, folder);
        Assert.True(exit == 0, output);
        Assert.Contains("none is missing, the anchors agree,", output, StringComparison.Ordinal);
        Assert.Contains("seals and the signatures are Shield's", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForgedTail_HaltsRecordingAtStart_UntilAnAdministratorAcknowledgesIt_ThenVerifyChecksAroundIt()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
        }

        await StoppedTrail.AppendForgedAsync(folder, _cancel);

        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        var client = app.CreateBrowserLikeClient();

        // Refused, unhealthy, and said in words, until acknowledged.
        var refused = await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(Call(99), _cancel));
        Assert.Contains("found the audit trail altered", refused.Message, StringComparison.Ordinal);
        var health = await client.GetAsync("/healthz", _cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var status = await admin.GetFromJsonAsync<JsonElement>("/api/audit/status", _cancel);
        Assert.False(status.GetProperty("recording").GetBoolean());
        Assert.Contains("carries no seal", status.GetProperty("tamper").GetProperty("finding").GetProperty("problem").GetString(), StringComparison.Ordinal);
        // A change made meanwhile is kept, and the answer says so rather than "nothing was changed".
        var kept = await admin.PostAsJsonAsync("/api/users", new { email = "late@shield.local", password = "Late-Passw0rd!!", roles = new[] { "Shield.Reviewer" }, enabled = true }, _cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, kept.StatusCode);
        Assert.Contains("kept and recorded once it is acknowledged", await kept.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        var noReason = await admin.PostAsJsonAsync("/api/audit/tamper/acknowledge", new { reason = " " }, _cancel);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);

        var acknowledged = await admin.PostAsJsonAsync("/api/audit/tamper/acknowledge", new { reason = "Forged row found; see INC-42." }, _cancel);

        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        Assert.True((await writer.AppendAsync(Call(100), _cancel)).Recorded);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/audit/tamper/acknowledge", new { reason = "again" }, _cancel)).StatusCode);
        Assert.Contains("late@shield.local", await admin.GetStringAsync("/api/users", _cancel), StringComparison.Ordinal);
        await writer.FlushAsync(_cancel);
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        var known = Assert.Single(report.Acknowledged);
        Assert.Equal(ShieldAppFactory.AdminEmail, known.AcknowledgedBy);
        Assert.Equal("Forged row found; see INC-42.", known.Reason);
        var (exit, output) = await CheckOfflineAsync(app, folder);
        Assert.True(exit == 0, output);
        Assert.Contains("were found altered and acknowledged in record", output, StringComparison.Ordinal);

        // Without the key nobody can tell a genuine acknowledgement from one written into the database: the records it
        // names are checked like any other (the forged one has a valid plain hash, so only the key could tell).
        var (withoutKey, said) = await StoppedTrail.CheckOfflineAsync(app, folder.Path, keyFile: null, _cancel);
        Assert.True(withoutKey == 0, said);
        Assert.Contains("cannot be authenticated without the key: those records are checked like any other", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACutTail_Acknowledged_GoesOnWithNewRecords_AndTheAnchorFileAgreesAgain()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
        }

        await using (var db = StoppedTrail.Open(folder))
        {
            // A SIEM sink had been sent the whole trail, records about to be cut included.
            db.SiemCursors.Add(new SiemCursor { Name = "siem", Sequence = await db.AuditRecords.MaxAsync(r => r.Sequence, _cancel), UpdatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync(_cancel);
        }

        await TamperAsync(folder, "cut-tail-with-checkpoints");

        await using (var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            var writer = app.Services.GetRequiredService<AuditWriter>();
            Assert.Contains("the tail was cut off", writer.Tamper!.Finding.Problem, StringComparison.Ordinal);
            var acknowledged = await writer.AcknowledgeTamperAsync(Registrations.Admin, "Restored from a backup missing the last minutes.", _cancel);
            await writer.AppendAsync(Call(200), _cancel);
            await using var db = StoppedTrail.Open(folder);
            Assert.True((await db.SiemCursors.SingleAsync(_cancel)).Sequence < acknowledged!.Value.Sequence, "the sink is sent the acknowledgement");
        }

        // A restart finds nothing wrong: the reset in the anchor file says where the trail went on.
        await using var again = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        Assert.Null(again.Services.GetRequiredService<AuditWriter>().Tamper);
        var report = await again.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        var (exit, output) = await CheckOfflineAsync(again, folder);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public async Task WithOnTamperRecord_TheFindingIsRecordedAtOnce_AndCallsGoOn()
    {
        using var folder = new TempFolder();
        var settings = new Dictionary<string, string?>(StoppedTrail.KeyedSettings(folder)) { ["Shield:Audit:OnTamper"] = "Record" };
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
        }

        await StoppedTrail.AppendForgedAsync(folder, _cancel);

        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var writer = app.Services.GetRequiredService<AuditWriter>();

        Assert.True((await writer.AppendAsync(Call(1), _cancel)).Recorded);
        Assert.False(writer.Tamper!.Halted);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var record = await db.AuditRecords.SingleAsync(r => r.EventType == AuditEventTypes.TamperDetected, _cancel);
        Assert.Equal("Shield (audit)", record.ActorName);
    }

    [Fact]
    public async Task WithoutAKeyFile_ShieldSaysSo_AtStartAndInThePostureReport()
    {
        await using var app = new ShieldAppFactory();
        await app.Services.GetRequiredService<AuditWriter>().AppendAsync(Call(1), _cancel);

        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var posture = await admin.GetFromJsonAsync<JsonElement>("/api/posture", _cancel);

        var integrity = posture.GetProperty("audit").GetProperty("integrity");
        Assert.Equal("database", integrity.GetProperty("chainKey").GetString());
        Assert.Contains("KeyFile is not set", integrity.GetProperty("keyWarning").GetString(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.Entries, e => e.Message.Contains("KeyFile is not set", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExistingUnsealedTrail_IsUpgradedInPlace_AndTheChangeOfSchemeIsARecord()
    {
        using var folder = new TempFolder();
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path })
        {
            await RecordCallsAsync(first);
        }

        // Written before sealing: no seals, no sealing record (as a trail of an earlier version).
        await using (var db = StoppedTrail.Open(folder))
        {
            var sealing = await db.AuditRecords.SingleAsync(r => r.EventType == AuditEventTypes.Sealing, _cancel);
            var all = await db.AuditRecords.OrderBy(r => r.Sequence).ToListAsync(_cancel);
            db.AuditRecords.RemoveRange(all);
            await db.SaveChangesAsync(_cancel);
            var previous = AuditChain.Genesis;
            var sequence = 0L;
            foreach (var record in all.Where(r => r.Sequence != sealing.Sequence))
            {
                AuditChain.Link(record, ++sequence, previous);
                previous = record.Hash;
                db.AuditRecords.Add(record);
            }

            db.AuditCheckpoints.RemoveRange(db.AuditCheckpoints);
            await db.SaveChangesAsync(_cancel);
        }

        File.Delete(Path.Combine(folder.Path, "anchors", "shield.db.anchors"));
        var settings = StoppedTrail.KeyedSettings(folder);
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        // An earlier version kept no anchor file: Shield says so once, and an administrator acknowledges it.
        Assert.Contains("is missing or empty, but the trail holds", writer.Tamper!.Finding.Problem, StringComparison.Ordinal);
        await writer.AcknowledgeTamperAsync(Registrations.Admin, "Upgraded from a version without anchors.", _cancel);
        await writer.AppendAsync(Call(1), _cancel);

        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        await using var check = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var handover = await check.AuditRecords.SingleAsync(r => r.EventType == AuditEventTypes.Sealing, _cancel);
        Assert.Equal(report.SealedFrom, handover.Sequence + 1);
        Assert.Null((await check.AuditRecords.SingleAsync(r => r.Sequence == handover.Sequence - 1, _cancel)).Seal);
    }

    [Fact]
    public async Task ARecordForgedAtTheTailWhileShieldRuns_IsFoundBeforeShieldChainsAfterIt_AndHaltsRecording()
    {
        using var folder = new TempFolder();
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = StoppedTrail.KeyedSettings(folder) };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await writer.AppendAsync(Call(1), _cancel);

        await StoppedTrail.AppendForgedAsync(folder, _cancel);

        // The next commit clashes with the forged record's number, reads the head again, and checks it first.
        var refused = await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(Call(2), _cancel));
        Assert.Contains("found the audit trail altered", refused.Message, StringComparison.Ordinal);
        Assert.Contains("carries no seal", writer.Tamper!.Finding.Problem, StringComparison.Ordinal);
        await using var db = StoppedTrail.Open(folder);
        var head = await db.AuditRecords.OrderByDescending(r => r.Sequence).FirstAsync(_cancel);
        Assert.Null(head.Seal); // the forged record is still the head: nothing was chained after it
    }

    [Fact]
    public async Task AGovernanceChangeIdPlantedInTheTrail_DoesNotStopRealChangesFromBeingChained()
    {
        using var folder = new TempFolder();
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = StoppedTrail.KeyedSettings(folder) };
        await app.Services.GetRequiredService<AuditWriter>().AppendAsync(Call(1), _cancel);
        await using (var db = StoppedTrail.Open(folder))
        {
            var last = await db.AuditRecords.OrderByDescending(r => r.Sequence).FirstAsync(_cancel);
            var planted = Call(80);
            planted.GovernanceChangeId = 1_000_000_000;
            AuditChain.Link(planted, last.Sequence + 1_000, last.Hash);
            db.AuditRecords.Add(planted);
            await db.SaveChangesAsync(_cancel);
        }

        await app.Services.GetRequiredService<Shield.Console.Agents.AgentDirectory>().CreateAsync(
            new Shield.Console.Agents.AgentInput("after-the-plant", null, null, [], true), Registrations.Admin, _cancel);

        await using var check = StoppedTrail.Open(folder);
        Assert.True(await check.AuditRecords.AnyAsync(r => r.Subject == "agent" && r.SubjectKey == "after-the-plant", _cancel));
    }

    [Fact]
    public async Task RecordsCutFurtherWhileAFindingWaits_AreNotHiddenByItsAcknowledgement()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
        }

        await TamperAsync(folder, "cut-tail-with-checkpoints");
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        Assert.Contains("the tail was cut off", writer.Tamper!.Finding.Problem, StringComparison.Ordinal);

        // While the administrator looks into it, more is deleted.
        await using (var db = StoppedTrail.Open(folder))
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM AuditRecords WHERE Sequence > 5", _cancel);
        }

        var refused = await Assert.ThrowsAsync<AuditUnavailableException>(() => writer.AcknowledgeTamperAsync(Registrations.Admin, "first look", _cancel));
        Assert.Contains("changed while the finding waited", refused.Message, StringComparison.Ordinal);
        Assert.True(writer.Tamper!.Halted);
        Assert.Equal(6, writer.Tamper.Finding.MissingFrom);

        await writer.AcknowledgeTamperAsync(Registrations.Admin, "second look", _cancel);
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        Assert.Equal(6, Assert.Single(report.Acknowledged).From);
    }

    [Fact]
    public async Task AnAnchorLineCutShortByACrash_IsSkippedWithAWarning_AndTheNextLinesStayReadable()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        string anchors;
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
            anchors = first.Services.GetRequiredService<AuditWriter>().Anchors.Path;
        }

        await File.AppendAllTextAsync(anchors, "{\"kind\":\"checkpoint\",\"sequence\":99,\"ha", _cancel);
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        Assert.Null(writer.Tamper);
        await writer.AppendAsync(Call(1), _cancel);

        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        Assert.Contains("cannot be read", Assert.Single(report.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingAnchorFile_UnderATrailWithRecords_HaltsRecording_UntilAcknowledged()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        string anchors;
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
            anchors = first.Services.GetRequiredService<AuditWriter>().Anchors.Path;
        }

        File.Delete(anchors);
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };

        var writer = app.Services.GetRequiredService<AuditWriter>();
        Assert.True(writer.Tamper!.Halted);
        Assert.Contains("is missing or empty", writer.Tamper.Finding.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARotatedKey_WithTheOldOneKept_HandsTheChainOver_AndEverythingStillVerifies()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await RecordCallsAsync(first);
        }

        var old = Path.Combine(folder.Path, "audit-2025.key");
        File.Move(StoppedTrail.KeyFile(folder), old);
        var rotated = new Dictionary<string, string?>(StoppedTrail.KeyedSettings(folder)) { ["Shield:Audit:PreviousKeyFiles:0"] = old };
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = rotated };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        Assert.Null(writer.Tamper);
        await writer.AppendAsync(Call(1), _cancel);

        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        await using var db = StoppedTrail.Open(folder);
        var handovers = await db.AuditRecords.Where(r => r.EventType == AuditEventTypes.Sealing).OrderBy(r => r.Sequence).ToListAsync(_cancel);
        Assert.Equal(2, handovers.Count);
        Assert.Equal("key-changed", handovers[1].Action);
    }

    private async Task RecordCallsAsync(ShieldAppFactory app)
    {
        var writer = app.Services.GetRequiredService<AuditWriter>();
        for (var i = 0; i < Calls; i++)
        {
            await writer.AppendAsync(Call(i), _cancel);
        }
    }

    private async Task TamperAsync(TempFolder folder, string tampering)
    {
        await using var db = StoppedTrail.Open(folder);
        var records = await db.AuditRecords.OrderBy(r => r.Sequence).ToListAsync(_cancel);
        var target = records.Single(r => r.Sequence == 8);
        switch (tampering)
        {
            case "edit-one-field":
                await Sql(db, "UPDATE AuditRecords SET Outcome = 'denied' WHERE Sequence = 8");
                break;
            case "edit-and-rehash":
                target.Outcome = "denied";
                target.Hash = AuditChain.ComputeHash(target);
                await Sql(db, $"UPDATE AuditRecords SET Outcome = 'denied', Hash = '{target.Hash}' WHERE Sequence = 8");
                break;
            case "rehash-suffix" or "rehash-suffix-and-delete-checkpoints":
                // The canonical form is public: alter record 8 and recompute every hash after it. Seals stay as they were.
                target.Outcome = "denied";
                foreach (var record in records.Where(r => r.Sequence >= 8))
                {
                    record.PrevHash = records.Single(r => r.Sequence == record.Sequence - 1).Hash;
                    record.Hash = AuditChain.ComputeHash(record);
                }

                await db.SaveChangesAsync(_cancel);
                if (tampering.EndsWith("delete-checkpoints", StringComparison.Ordinal))
                {
                    await Sql(db, "DELETE FROM AuditCheckpoints WHERE Sequence >= 8");
                }

                break;
            case "delete":
                await Sql(db, "DELETE FROM AuditRecords WHERE Sequence = 8");
                break;
            case "swap":
                var next = records.Single(r => r.Sequence == 9);
                (target.Tool, next.Tool, target.SessionId, next.SessionId, target.PrevHash, next.PrevHash, target.Hash, next.Hash, target.Seal, next.Seal) =
                    (next.Tool, target.Tool, next.SessionId, target.SessionId, next.PrevHash, target.PrevHash, next.Hash, target.Hash, next.Seal, target.Seal);
                await db.SaveChangesAsync(_cancel);
                break;
            case "insert":
                await Sql(db, $"UPDATE AuditRecords SET Sequence = Sequence + 1000 WHERE Sequence >= 8");
                await Sql(db, $"UPDATE AuditRecords SET Sequence = Sequence - 999 WHERE Sequence >= 1008");
                var inserted = Call(77);
                AuditChain.Link(inserted, 8, records.Single(r => r.Sequence == 7).Hash);
                db.ChangeTracker.Clear();
                db.AuditRecords.Add(inserted);
                await db.SaveChangesAsync(_cancel);
                break;
            case "append-forged":
                await StoppedTrail.AppendForgedAsync(folder, _cancel);
                break;
            case "cut-tail-with-checkpoints":
                await Sql(db, "DELETE FROM AuditRecords WHERE Sequence > 7; DELETE FROM AuditCheckpoints WHERE Sequence > 7");
                break;
            case "cut-tail":
                await Sql(db, "DELETE FROM AuditRecords WHERE Sequence > 7");
                break;
            case "wipe-and-forge-pruning":
                // Everything deleted, and a "pruning" record with a valid plain hash says records 1 to N are gone by retention.
                var pruning = Call(79);
                pruning.EventType = AuditEventTypes.Pruned;
                pruning.After = new AuditPruning(records[^1].Sequence, records[^1].Hash, DateTime.UtcNow, records.Count).ToJson();
                AuditChain.Link(pruning, records[^1].Sequence + 1, records[^1].Hash);
                await Sql(db, "DELETE FROM AuditRecords; DELETE FROM AuditCheckpoints");
                db.ChangeTracker.Clear();
                db.AuditRecords.Add(pruning);
                await db.SaveChangesAsync(_cancel);
                break;
            case "forge-checkpoint":
                db.AuditCheckpoints.Add(new AuditCheckpoint { Sequence = 8, Hash = target.Hash, AtUtc = DateTime.UtcNow, Signature = new string('a', 64) });
                await db.SaveChangesAsync(_cancel);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering), tampering, null);
        }
    }

    private async Task Sql(ShieldDbContext db, string sql) => await db.Database.ExecuteSqlRawAsync(sql, _cancel);

    private Task<(int Exit, string Output)> CheckOfflineAsync(ShieldAppFactory app, TempFolder folder) =>
        StoppedTrail.CheckOfflineAsync(app, folder.Path, StoppedTrail.KeyFile(folder), _cancel);

    private static AuditRecord Call(int i) => StoppedTrail.Call(i);
}
