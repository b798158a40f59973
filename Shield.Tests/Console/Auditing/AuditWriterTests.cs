using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shield.Console.Agents;
using Shield.Console.Auditing;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

/// <summary>The writer's chain on every database provider; the suite runs on SQLite and on PostgreSQL.</summary>
public abstract class AuditWriterSuite
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    protected virtual PostgresServer? Postgres => null;

    [Fact]
    public async Task ConcurrentCallers_AreChainedWithoutGaps_AndTheChainVerifies()
    {
        await using var app = new ShieldAppFactory { Postgres = Postgres };
        var writer = app.Services.GetRequiredService<AuditWriter>();

        var receipts = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => writer.AppendAsync(Call(i), _cancel).AsTask()));

        Assert.Equal(300, receipts.Select(r => r.Sequence).Distinct().Count());
        Assert.All(receipts, r => Assert.True(r.Recorded));
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        Assert.True(report.RecordsChecked >= 300);
        await using var db = await Db(app);
        var stored = await db.AuditRecords.SingleAsync(r => r.Sequence == receipts[7].Sequence, _cancel);
        Assert.Equal("task 7 \"quoted\" \u00e9", stored.Task);
        Assert.Equal(receipts[7].Hash, stored.Hash);
    }

    [Fact]
    public async Task LongValues_AreStoredWhole()
    {
        await using var app = new ShieldAppFactory { Postgres = Postgres };
        var record = Call(1);
        record.After = new string('a', 50_000) + "\ud83d\ude00";

        var receipt = await app.Services.GetRequiredService<AuditWriter>().AppendAsync(record, _cancel);

        await using var db = await Db(app);
        Assert.Equal(record.After, (await db.AuditRecords.SingleAsync(r => r.Sequence == receipt.Sequence, _cancel)).After);
        Assert.True((await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel)).Intact);
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabase_ChainEveryChangeOnce_InOneChain()
    {
        using var folder = new TempFolder();
        await using var first = new ShieldAppFactory { Postgres = Postgres, DataDirectory = folder.Path };
        await using var second = new ShieldAppFactory { Postgres = Postgres, DataDirectory = folder.Path };
        var directories = new[] { first, second }.Select(app => app.Services.GetRequiredService<AgentDirectory>()).ToArray();

        // Each instance makes changes; each also sweeps for the other's (every save waits for its own sweep).
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            directories[i % 2].CreateAsync(new AgentInput($"twin-bot-{i}", null, null, [], true), Registrations.Admin, _cancel)));
        await first.Services.GetRequiredService<AuditWriter>().AppendAsync(Call(1), _cancel);
        await second.Services.GetRequiredService<AuditWriter>().AppendAsync(Call(2), _cancel);

        await using var db = await Db(first);
        var chained = await db.AuditRecords.Where(r => r.GovernanceChangeId != null).Select(r => r.GovernanceChangeId!.Value).ToListAsync(_cancel);
        Assert.Equal(chained.Count, chained.Distinct().Count());
        Assert.Equal(await db.GovernanceChanges.CountAsync(_cancel), chained.Count);
        var report = await first.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
    }

    [Fact]
    public async Task AChangeMadeInATransaction_IsRecordedWhenItCommits_AndARolledBackOneNever()
    {
        await using var app = new ShieldAppFactory { Postgres = Postgres };
        var now = DateTime.UtcNow;

        await ChangeInTransactionAsync(app, GovernanceChange.By(Registrations.Admin, now, "server", "kept", ChangeActions.Created), commit: true);
        await ChangeInTransactionAsync(app, GovernanceChange.By(Registrations.Admin, now, "server", "undone", ChangeActions.Created), commit: false);

        await using var check = await Db(app);
        Assert.True(await check.AuditRecords.AnyAsync(r => r.SubjectKey == "kept", _cancel));
        Assert.False(await check.AuditRecords.AnyAsync(r => r.SubjectKey == "undone", _cancel));
    }

    // As the console does: a transaction on a server database runs inside the provider's retrying execution strategy.
    private async Task ChangeInTransactionAsync(ShieldAppFactory app, GovernanceChange change, bool commit)
    {
        await using var db = await Db(app);
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(_cancel);
            db.GovernanceChanges.Add(change);
            await db.SaveChangesAsync(_cancel);
            await (commit ? transaction.CommitAsync(_cancel) : transaction.RollbackAsync(_cancel));
        });
    }

    [Fact]
    public async Task Verify_ReportsTheFirstBrokenLink_AndIsForAuditorsAndAdminsOnly()
    {
        await using var app = new ShieldAppFactory { Postgres = Postgres, Settings = new Dictionary<string, string?> { ["Shield:Audit:CheckpointInterval"] = "00:00:00" } };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        AuditReceipt middle = default;
        for (var i = 0; i < 5; i++)
        {
            var receipt = await writer.AppendAsync(Call(i), _cancel);
            middle = i == 2 ? receipt : middle;
        }

        var auditor = await app.CreateUserAsync(ShieldAppFactory.NewEmail("auditor"), ShieldRoles.Auditor);
        var reviewer = await app.CreateUserAsync(ShieldAppFactory.NewEmail("reviewer"), ShieldRoles.Reviewer);
        var auditorClient = await ConsoleSignIn.ApiClientAsync(app, auditor.Email, ShieldAppFactory.Password);
        var reviewerClient = await ConsoleSignIn.ApiClientAsync(app, reviewer.Email, ShieldAppFactory.Password);
        var intact = await auditorClient.GetFromJsonAsync<JsonElement>("/api/audit/verify", _cancel);
        Assert.True(intact.GetProperty("intact").GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, (await reviewerClient.GetAsync("/api/audit/verify", _cancel)).StatusCode);

        await using (var db = await Db(app))
        {
            await db.AuditRecords.Where(r => r.Sequence == middle.Sequence).ExecuteUpdateAsync(r => r.SetProperty(x => x.Outcome, "edited"), _cancel);
        }

        var broken = await auditorClient.GetFromJsonAsync<JsonElement>("/api/audit/verify", _cancel);
        Assert.False(broken.GetProperty("intact").GetBoolean());
        Assert.Equal(middle.Sequence, broken.GetProperty("firstBrokenLink").GetProperty("sequence").GetInt64());
        Assert.Contains("altered", broken.GetProperty("firstBrokenLink").GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATruncatedTail_IsCaughtByTheAnchorFile_AndWithoutIt_ByTheSignedCheckpoint()
    {
        await using var app = new ShieldAppFactory { Postgres = Postgres, Settings = new Dictionary<string, string?> { ["Shield:Audit:CheckpointInterval"] = "00:00:00" } };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        for (var i = 0; i < 3; i++)
        {
            await writer.AppendAsync(Call(i), _cancel);
        }

        await using (var db = await Db(app))
        {
            var last = await db.AuditRecords.MaxAsync(r => r.Sequence, _cancel);
            await db.AuditRecords.Where(r => r.Sequence == last).ExecuteDeleteAsync(_cancel);
        }

        var verifier = app.Services.GetRequiredService<AuditVerifier>();
        var report = await verifier.VerifyAsync("test", _cancel);
        Assert.False(report.Intact);
        Assert.Contains("the anchor file shows record", report.FirstBrokenLink!.Problem, StringComparison.Ordinal);
        Assert.Contains("cut off", report.FirstBrokenLink.Problem, StringComparison.Ordinal);

        File.Delete(app.Services.GetRequiredService<AuditWriter>().Anchors.Path);
        var withoutAnchors = await verifier.VerifyAsync("test", _cancel);
        Assert.Contains("truncated", withoutAnchors.FirstBrokenLink!.Problem, StringComparison.Ordinal);
    }

    protected static async Task<ShieldDbContext> Db(ShieldAppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync();

    internal static AuditRecord Call(int i) => new()
    {
        AtUtc = DateTime.UtcNow,
        EventType = AuditEventTypes.CallAllowed,
        ActorKind = Actor.Agent,
        ActorId = "bot",
        ActorName = "bot",
        SessionId = Guid.NewGuid(),
        ApprovalId = Guid.NewGuid(),
        Task = $"task {i} \"quoted\" \u00e9",
        Server = "files",
        DurationMicroseconds = 1_000 + i,
        TraceId = "0af7651916cd43dd8448eb211c80319c",
        Tool = "read",
        Decision = "allow",
    };
}

/// <summary>What only SQLite shows: a store taken away or locked by another writer, and the rest of the writer's behaviour.</summary>
public sealed class AuditWriterTests : AuditWriterSuite
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWriteAheadLogDeletedUnderTheWriter_RefusesTheNextRecord_AndLosesNoneCommittedBefore()
    {
        await using var app = new ShieldAppFactory();
        var writer = app.Services.GetRequiredService<AuditWriter>();
        var before = await writer.AppendAsync(Call(1), _cancel);

        File.Delete(app.DatabasePath + "-wal"); // the records committed so far are in it, not yet in the database file

        var refused = await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(Call(2), _cancel));
        Assert.Contains("cannot be written", refused.Message, StringComparison.Ordinal);
        var after = await writer.AppendAsync(Call(3), _cancel);
        Assert.True(after.Recorded);
        await using var db = await Db(app);
        Assert.Equal(before.Hash, (await db.AuditRecords.SingleAsync(r => r.Sequence == before.Sequence, _cancel)).Hash);
        Assert.Equal(before.Sequence + 1, after.Sequence); // the refused record was never chained
        Assert.True((await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel)).Intact);
    }

    [Fact]
    public async Task WhatEachCommitChained_IsHandedOver_InChainOrder()
    {
        var handed = new HandedOver();
        await using var app = new ShieldAppFactory { TestServices = services => services.AddSingleton<IAuditCommitted>(handed) };
        var writer = app.Services.GetRequiredService<AuditWriter>();

        var receipts = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => writer.AppendAsync(Call(i), _cancel).AsTask()));

        var chained = handed.Records.ToList();
        Assert.All(receipts, receipt => Assert.Contains(chained, r => r.Sequence == receipt.Sequence && r.Hash == receipt.Hash));
        Assert.All(chained.Zip(chained.Skip(1)), pair =>
        {
            Assert.Equal(pair.First.Sequence + 1, pair.Second.Sequence);
            Assert.Equal(pair.First.Hash, pair.Second.PrevHash);
        });
    }

    private sealed class HandedOver : IAuditCommitted
    {
        public System.Collections.Concurrent.ConcurrentQueue<AuditRecord> Records { get; } = new();

        public void Committed(IReadOnlyList<AuditRecord> records)
        {
            foreach (var record in records)
            {
                Records.Enqueue(record);
            }
        }
    }

    [Fact]
    public async Task AGovernanceChange_IsInTheTrail_BeforeItIsAcknowledged()
    {
        await using var app = new ShieldAppFactory();

        await app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("audited-bot", null, "ops@shield.test", [], true), Registrations.Admin, _cancel);

        await using var db = await Db(app);
        var record = await db.AuditRecords.SingleAsync(r => r.Subject == "agent" && r.SubjectKey == "audited-bot", _cancel);
        Assert.Equal(AuditEventTypes.Governance, record.EventType);
        Assert.Equal(ChangeActions.Created, record.Action);
        Assert.Equal(Registrations.Admin.Name, record.ActorName);
        Assert.Contains("audited-bot", record.After, StringComparison.Ordinal);
        Assert.NotNull(record.GovernanceChangeId);
    }

    [Fact]
    public async Task AccountChanges_AreInTheTrail_WithWhoMadeThem_ButNeverThePassword()
    {
        await using var app = new ShieldAppFactory();
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var email = ShieldAppFactory.NewEmail("reviewer");

        var created = await admin.PostAsJsonAsync("/api/users", new { email, password = ShieldAppFactory.Password, roles = new[] { ShieldRoles.Reviewer } }, _cancel);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("id").GetString();
        await admin.PutAsJsonAsync($"/api/users/{id}", new { password = "An0ther-Passw0rd!", enabled = false }, _cancel);

        await using var db = await Db(app);
        var records = await db.AuditRecords.Where(r => r.Subject == "user").OrderBy(r => r.Sequence).ToListAsync(_cancel);
        Assert.Equal(["bootstrap", ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminEmail], records.Select(r => r.ActorKind == Actor.System ? r.ActorId : r.ActorName));
        var update = records[^1];
        Assert.Equal(ChangeActions.Updated, update.Action);
        Assert.Contains("\"enabled\":true", update.Before, StringComparison.Ordinal);
        Assert.Contains("\"enabled\":false", update.After, StringComparison.Ordinal);
        Assert.Contains("\"passwordSet\":true", update.After, StringComparison.Ordinal);
        Assert.DoesNotContain(records, r => (r.Before + r.After).Contains("Passw0rd", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryKindOfGovernanceChange_HasItsRecord()
    {
        await using var app = new ShieldAppFactory();
        await using var upstream = await UpstreamServer.StartAsync();
        await app.ApprovedToolsAsync("crm", upstream, "lookup");
        var agent = (await app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("covered-bot", null, null, [], true), Registrations.Admin, _cancel)).Value!;
        await app.Services.GetRequiredService<Shield.Console.Grants.GrantBook>().AddAsync(
            new Shield.Console.Grants.GrantInput(Shield.Core.Grants.SubjectKind.Agent, "covered-bot", "crm", "lookup", Shield.Core.Grants.GrantEffect.Allow), Registrations.Admin, _cancel);
        var client = app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", agent.Key);
        var minted = await client.PostAsJsonAsync("/api/sessions", new { task = "coverage", tools = new[] { "crm__lookup" } }, _cancel);
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);

        await using var db = await Db(app);
        var changes = await db.GovernanceChanges.Select(c => new { c.Id, c.Subject }).ToListAsync(_cancel);
        var chained = await db.AuditRecords.Where(r => r.GovernanceChangeId != null).Select(r => r.GovernanceChangeId!.Value).ToListAsync(_cancel);
        Assert.Equal(changes.Select(c => c.Id).Order(), chained.Order());
        Assert.Superset(new HashSet<string> { "user", "server", "tool", "agent", "grant", "session" }, changes.Select(c => c.Subject).ToHashSet());
    }

    [Fact]
    public async Task AChangeCommittedAfterAHigherIdWasChained_IsStillChained()
    {
        await using var app = new ShieldAppFactory();
        await using var db = await Db(app);
        var highest = await db.GovernanceChanges.MaxAsync(c => (long?)c.Id, _cancel) ?? 0;

        foreach (var id in new[] { highest + 100, highest + 50 })
        {
            var change = GovernanceChange.By(Registrations.Admin, DateTime.UtcNow, "grant", $"late-{id}", ChangeActions.Created);
            change.Id = id;
            db.GovernanceChanges.Add(change);
            await db.SaveChangesAsync(_cancel);
        }

        var chained = await db.AuditRecords.Where(r => r.SubjectKey!.StartsWith("late-")).Select(r => r.GovernanceChangeId).ToListAsync(_cancel);
        Assert.Equal([highest + 100, highest + 50], chained);
    }

    [Fact]
    public async Task WhenTheStoreCannotBeWritten_CallersAreRefused_AndHealthIsUnhealthy_UntilItRecovers()
    {
        await using var app = new ShieldAppFactory();
        var writer = app.Services.GetRequiredService<AuditWriter>();
        var client = app.CreateBrowserLikeClient();
        await writer.AppendAsync(Call(1), _cancel);

        using (DatabaseOutage.Begin(app))
        {
            await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(Call(2), _cancel));

            var health = await client.GetAsync("/healthz", _cancel);
            var body = await health.Content.ReadFromJsonAsync<JsonElement>(_cancel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("audit").GetString());
        }

        var receipt = await writer.AppendAsync(Call(3), _cancel);
        Assert.True(receipt.Recorded);
        Assert.Null(writer.Failure);
        Assert.True((await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel)).Intact);
    }

    [Fact]
    public async Task WhenTheStoreIsLockedByAnotherWriter_CallersAreRefused_NotKeptWaitingForever()
    {
        using var folder = new TempFolder();
        var database = Path.Combine(folder.Path, "shield.db");
        await using var app = new ShieldAppFactory
        {
            DataDirectory = folder.Path,
            Settings = new Dictionary<string, string?> { ["ConnectionStrings:Shield"] = $"Data Source={database};Default Timeout=1" },
        };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await writer.AppendAsync(Call(1), _cancel);

        await using (var locker = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
        {
            await locker.OpenAsync(_cancel);
            await using var exclusive = locker.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE;";
            await exclusive.ExecuteNonQueryAsync(_cancel);

            await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(Call(2), _cancel));
            Assert.NotNull(writer.Failure);
        }

        Assert.True((await writer.AppendAsync(Call(3), _cancel)).Recorded);
    }

    [Fact]
    public async Task FailingOpen_IsOnlyBySetting_AndReportsTheTrailDegraded()
    {
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Audit:FailOpen"] = "true" } };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await writer.AppendAsync(Call(1), _cancel);

        using (DatabaseOutage.Begin(app))
        {
            var receipt = await writer.AppendAsync(Call(2), _cancel);

            Assert.False(receipt.Recorded);
            var health = await app.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync(c => c.Name == "audit", _cancel);
            Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, health.Status);
        }
    }

    [Fact]
    public async Task ATrailLongerThanAPage_VerifiesWithItsCheckpointsReadAlongside()
    {
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Audit:CheckpointInterval"] = "00:00:00" } };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await Task.WhenAll(Enumerable.Range(0, 6_000).Select(i => writer.AppendAsync(Call(i), _cancel).AsTask()));
        var verifier = app.Services.GetRequiredService<AuditVerifier>();

        var intact = await verifier.VerifyAsync("test", _cancel);

        Assert.True(intact.Intact, intact.FirstBrokenLink?.Problem);
        Assert.True(intact.CheckpointsChecked > 1);
        await using var db = await Db(app);
        await db.AuditRecords.Where(r => r.Sequence == 5_500).ExecuteUpdateAsync(r => r.SetProperty(x => x.Task, "edited"), _cancel);
        var broken = await verifier.VerifyAsync("test", _cancel);
        Assert.Equal(5_500, broken.FirstBrokenLink!.Sequence);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class AuditWriterOnPostgresTests(PostgresServer postgres) : AuditWriterSuite
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    protected override PostgresServer? Postgres => postgres;

    [Fact]
    public async Task WhileAnotherInstanceHoldsTheChainLock_NoRecordIsChained_AndRecordingResumesWhenItIsReleased()
    {
        await using var app = new ShieldAppFactory { Postgres = postgres, Settings = new Dictionary<string, string?> { ["Shield:Audit:StoreTimeout"] = "00:00:02" } };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await writer.AppendAsync(Call(1), _cancel);

        await using (var other = new NpgsqlConnection(postgres.ConnectionString(app.PostgresDatabase)))
        {
            await other.OpenAsync(_cancel);
            await using var transaction = await other.BeginTransactionAsync(_cancel);
            await using var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({TransactionLocks.PostgreSqlKey(AuditChainStore.ChainLock)})", other, transaction);
            await take.ExecuteNonQueryAsync(_cancel);

            var refused = await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(Call(2), _cancel));
            Assert.Contains("did not answer within 1 s", refused.Message, StringComparison.Ordinal);
        }

        Assert.True((await writer.AppendAsync(Call(3), _cancel)).Recorded);
    }

    [Fact]
    public async Task WhenAnotherSessionLocksTheTrail_CallersAreRefusedWithinTheBound_AndRecordingResumesAfter()
    {
        await using var app = new ShieldAppFactory { Postgres = postgres, Settings = new Dictionary<string, string?> { ["Shield:Audit:StoreTimeout"] = "00:00:02" } }; // a commit: half
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await writer.AppendAsync(Call(1), _cancel);

        await using (var locker = new NpgsqlConnection(postgres.ConnectionString(app.PostgresDatabase)))
        {
            await locker.OpenAsync(_cancel);
            await using var transaction = await locker.BeginTransactionAsync(_cancel);
            await using var exclusive = new NpgsqlCommand("LOCK TABLE \"AuditRecords\" IN ACCESS EXCLUSIVE MODE", locker, transaction);
            await exclusive.ExecuteNonQueryAsync(_cancel);

            var refused = await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(Call(2), _cancel));
            Assert.Contains("did not answer within 1 s", refused.Message, StringComparison.Ordinal);
            Assert.NotNull(writer.Failure);
        }

        Assert.True((await writer.AppendAsync(Call(3), _cancel)).Recorded);
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
    }
}
