using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

/// <summary>
/// A store that is locked or gone: calls are refused within <c>Shield:Audit:StoreTimeout</c> (never left waiting on
/// SQLite's own 30-second wait), health says so, and it recovers by itself; failing open, what went through
/// unrecorded becomes an <c>audit.gap</c> record.
/// </summary>
public sealed class AuditStoreOutageTests
{
    // A guard against a hang, far above the bound the refusals state: not a measurement.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(25);
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ALockedStore_RefusesAgentsCalls_WithinTheBound_TurnsHealthUnhealthy_AndRecoversByItself()
    {
        await using var relay = await RelayHarness.StartAsync();
        await using var client = await relay.ConnectAsync(await relay.TokenAsync("crm__lookup"));
        var forwarded = 0;
        relay.Upstream.OnCall = (_, _) =>
        {
            Interlocked.Increment(ref forwarded);
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "ok" }] });
        };
        using var http = new HttpClient { BaseAddress = new Uri(relay.Root) };
        await Call(client);

        await using (var locker = new SqliteConnection($"Data Source={relay.App.DatabasePath};Pooling=False"))
        {
            await locker.OpenAsync(_cancel);
            await using var exclusive = locker.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE;";
            await exclusive.ExecuteNonQueryAsync(_cancel);
            var before = Volatile.Read(ref forwarded);

            var refusals = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                Assert.ThrowsAsync<McpProtocolException>(() => Call(client).WaitAsync(Hang, _cancel))));

            Assert.All(refusals, e => Assert.Contains("Shield cannot record the call, so it refuses it", e.Message, StringComparison.Ordinal));
            Assert.All(refusals, e => Assert.Contains("did not answer within 1 s", e.Message, StringComparison.Ordinal));
            Assert.Equal(before, Volatile.Read(ref forwarded));
            var health = await http.GetAsync("/healthz", _cancel);
            var body = await health.Content.ReadFromJsonAsync<JsonElement>(_cancel);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("locked, slow or unreachable", body.GetProperty("reasons").GetProperty("audit").GetString(), StringComparison.Ordinal);
        }

        await Call(client);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", _cancel)).StatusCode);
    }

    [Fact]
    public async Task FailingOpen_LeavesAGapRecord_CountingWhatWentThroughUnrecorded_AndHealthSaysDegraded()
    {
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Audit:FailOpen"] = "true" } };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await writer.AppendAsync(Call(AuditEventTypes.CallAllowed), _cancel);

        using (DatabaseOutage.Begin(app))
        {
            Assert.False((await writer.AppendAsync(Call(AuditEventTypes.CallAllowed), _cancel)).Recorded);
            Assert.False((await writer.AppendAsync(Call(AuditEventTypes.CallAllowed), _cancel)).Recorded);
            Assert.False((await writer.AppendAsync(Call(AuditEventTypes.CallCompleted), _cancel)).Recorded);
            // The database check is unhealthy too (it cannot be reached); the trail's own check says calls go on unrecorded.
            var health = await (await app.CreateBrowserLikeClient().GetAsync("/healthz", _cancel)).Content.ReadFromJsonAsync<JsonElement>(_cancel);
            Assert.Equal("Degraded", health.GetProperty("checks").GetProperty("audit").GetString());
            Assert.Contains("cannot be written", health.GetProperty("reasons").GetProperty("audit").GetString(), StringComparison.Ordinal);
        }

        var after = await writer.AppendAsync(Call(AuditEventTypes.CallAllowed), _cancel);

        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var record = await db.AuditRecords.SingleAsync(r => r.EventType == AuditEventTypes.Gap, _cancel);
        var gap = AuditGap.Read(record)!;
        Assert.Equal((3L, 2L), (gap.Records, gap.Calls));
        Assert.True(record.Sequence < after.Sequence);
        Assert.Contains("FailOpen", record.Reason, StringComparison.Ordinal);
        var report = await app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
        Assert.Equal(2, Assert.Single(report.Gaps).Calls);
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var posture = await admin.GetFromJsonAsync<JsonElement>("/api/posture", _cancel);
        Assert.Equal(2, posture.GetProperty("audit").GetProperty("integrity").GetProperty("callsUnrecorded").GetInt64());
    }

    private async Task Call(McpClient client)
    {
        var result = await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "acme" }, cancellationToken: _cancel);
        Assert.NotEqual(true, result.IsError);
    }

    private static AuditRecord Call(string eventType) => new()
    {
        AtUtc = DateTime.UtcNow,
        EventType = eventType,
        ActorKind = "agent",
        ActorId = "bot",
        ActorName = "bot",
        Server = "files",
        Tool = "read",
    };
}
