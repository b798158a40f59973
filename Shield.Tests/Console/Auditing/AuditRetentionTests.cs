using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

public abstract class AuditRetentionSuite
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    protected virtual PostgresServer? Postgres => null;

    [Fact]
    public async Task Pruning_RemovesOldRecords_RecordsItself_AndLeavesAVerifiableTrail_ThatCatchesMoreDeletion()
    {
        // Shield starts, and records its first administrator and three calls, forty days ago.
        var clock = new ShiftedClock { Offset = TimeSpan.FromDays(-40) };
        await using var app = new ShieldAppFactory
        {
            Postgres = Postgres,
            Settings = new Dictionary<string, string?> { ["Shield:Audit:RetentionDays"] = "30" },
            TestServices = services => services.AddSingleton<TimeProvider>(clock),
        };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        for (var i = 0; i < 3; i++)
        {
            await writer.AppendAsync(Call(clock.GetUtcNow().UtcDateTime), _cancel);
        }

        clock.Offset = TimeSpan.Zero;
        var kept = await writer.AppendAsync(Call(DateTime.UtcNow), _cancel);
        var verifier = app.Services.GetRequiredService<AuditVerifier>();
        Assert.True((await verifier.VerifyAsync("test", _cancel)).Intact);

        var removed = await app.Services.GetRequiredService<AuditRetention>().PruneAsync(_cancel);

        await using var check = await Db(app);
        Assert.Equal(kept.Sequence - 1, removed);
        Assert.Equal(kept.Sequence, await check.AuditRecords.MinAsync(r => r.Sequence, _cancel));
        var pruning = await check.AuditRecords.SingleAsync(r => r.EventType == AuditEventTypes.Pruned, _cancel);
        Assert.Equal(kept.Sequence - 1, AuditPruning.Read(pruning)!.Through);
        var report = await verifier.VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        Assert.Equal(kept.Sequence, report.FirstSequence);
        var (exit, output) = await StoppedTrail.CheckOfflineAsync(app, app.Folder, keyFile: null, _cancel);
        Assert.True(exit == 0, output); // the anchors of pruned records are vouched for by the pruning record

        await check.AuditRecords.Where(r => r.Sequence == kept.Sequence).ExecuteDeleteAsync(_cancel);
        var tampered = await verifier.VerifyAsync("test", _cancel);
        Assert.False(tampered.Intact);
        Assert.Contains("the last pruning stopped at record", tampered.FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterPruningEveryGovernanceRecord_ARestartChainsNoChangeAgain()
    {
        using var folder = new TempFolder();
        var clock = new ShiftedClock { Offset = TimeSpan.FromDays(-40) };
        var settings = new Dictionary<string, string?> { ["Shield:Audit:RetentionDays"] = "30" };
        await using (var first = new ShieldAppFactory { Postgres = Postgres, DataDirectory = folder.Path, Settings = settings, TestServices = services => services.AddSingleton<TimeProvider>(clock) })
        {
            _ = first.Services; // starts: the first administrator's creation is recorded, forty days ago
            clock.Offset = TimeSpan.Zero;
            await first.Services.GetRequiredService<AuditWriter>().AppendAsync(Call(DateTime.UtcNow), _cancel);
            Assert.True(await first.Services.GetRequiredService<AuditRetention>().PruneAsync(_cancel) > 0);
            await using var db = await Db(first);
            Assert.False(await db.AuditRecords.AnyAsync(r => r.EventType == AuditEventTypes.Governance, _cancel));
        }

        await using var second = new ShieldAppFactory { Postgres = Postgres, DataDirectory = folder.Path, Settings = settings };
        await second.Services.GetRequiredService<AuditWriter>().AppendAsync(Call(DateTime.UtcNow), _cancel); // after at least one sweep

        await using var check = await Db(second);
        Assert.False(await check.AuditRecords.AnyAsync(r => r.EventType == AuditEventTypes.Governance, _cancel));
        Assert.True((await second.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel)).Intact);
    }

    [Fact]
    public async Task WithoutRetention_NothingIsPruned()
    {
        await using var app = new ShieldAppFactory { Postgres = Postgres };
        await app.Services.GetRequiredService<AuditWriter>().AppendAsync(Call(DateTime.UtcNow.AddYears(-5)), _cancel);

        Assert.Equal(0, await app.Services.GetRequiredService<AuditRetention>().PruneAsync(_cancel));
    }

    // Real timers, shifted wall clock: nothing else about the app's timing changes.
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    [Fact]
    public async Task ASiemSinkThatHasNotSentOldRecords_HoldsThemBack_UntilItHas()
    {
        var clock = new ShiftedClock { Offset = TimeSpan.FromDays(-40) };
        await using var app = new ShieldAppFactory
        {
            Postgres = Postgres,
            Settings = new Dictionary<string, string?>
            {
                ["Shield:Audit:RetentionDays"] = "30",
                ["Shield:Siem:Sinks:0:Name"] = "siem-a",
                ["Shield:Siem:Sinks:0:Host"] = "127.0.0.1",
                ["Shield:Siem:Sinks:0:Port"] = $"{ChildProcess.FreePort()}", // nothing listens: it sends nothing
            },
            TestServices = services => services.AddSingleton<TimeProvider>(clock),
        };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        var old = await writer.AppendAsync(Call(clock.GetUtcNow().UtcDateTime), _cancel);
        await writer.AppendAsync(Call(clock.GetUtcNow().UtcDateTime), _cancel);
        clock.Offset = TimeSpan.Zero;
        await writer.AppendAsync(Call(DateTime.UtcNow), _cancel);
        var retention = app.Services.GetRequiredService<AuditRetention>();

        Assert.Equal(0, await retention.PruneAsync(_cancel));
        Assert.Contains(app.Logs.Messages("AuditRetention"), m => m.Contains("the SIEM sink siem-a has been sent only the records through 0", StringComparison.Ordinal));

        await using (var db = await Db(app))
        {
            // As if the sink had sent the records through the first call, and no further.
            db.SiemCursors.RemoveRange(db.SiemCursors);
            db.SiemCursors.Add(new Shield.Core.Siem.SiemCursor { Name = "siem-a", Sequence = old.Sequence, UpdatedAtUtc = DateTime.UtcNow });
            await db.SaveChangesAsync(_cancel);
        }

        Assert.Equal(old.Sequence, await retention.PruneAsync(_cancel));
        await using var check = await Db(app);
        Assert.Equal(old.Sequence + 1, await check.AuditRecords.Where(r => r.EventType != AuditEventTypes.Pruned).MinAsync(r => r.Sequence, _cancel));
    }

    private static async Task<ShieldDbContext> Db(ShieldAppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync();

    private static AuditRecord Call(DateTime at) => new()
    {
        AtUtc = at, EventType = AuditEventTypes.CallCompleted, ActorKind = Actor.Agent, ActorId = "id", ActorName = "bot", Server = "files", Tool = "read",
    };
}

public sealed class AuditRetentionTests : AuditRetentionSuite;

[Collection(PostgresCollection.Name)]
public sealed class AuditRetentionOnPostgresTests(PostgresServer postgres) : AuditRetentionSuite
{
    protected override PostgresServer? Postgres => postgres;
}
