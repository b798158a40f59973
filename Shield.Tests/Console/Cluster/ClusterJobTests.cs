using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Console.Auditing;
using Shield.Console.Registry;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Cluster;

/// <summary>
/// The cluster-wide jobs hold a lease in the database: while another instance holds it they leave their rounds, and a
/// dead holder's lease passes on once it lapses. Several instances on one SQLite file stand in for a cluster here.
/// </summary>
public sealed class ClusterJobTests
{
    private const string Jobs = "Shield.Console.Cluster.ClusterJob";
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60); // a guard against a hang, not a measurement
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ScheduledDiscovery_IsLeftWhileADeadInstanceHoldsItsLease_AndTakenOverOnceTheLeaseLapses()
    {
        using var cluster = new ClusterInstances();
        await using var app = cluster.Instance("shield-b");
        await app.Logs.WaitForAsync(Jobs, "shield-b runs the job scheduled-discovery"); // its start-up round
        await HandLeaseToAsync(app, DiscoveryRefresher.LeaseName, "shield-gone", cluster.Start.AddMinutes(20));
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("first", "The first tool.");
        await app.HttpServerAsync("scheduled", upstream.Url);
        var reports = Reports(app);

        cluster.Time.Advance(TimeSpan.FromMinutes(15));
        await app.Logs.WaitForAsync(Jobs, "shield-b no longer runs the job scheduled-discovery");
        // The clock stops a second short of the next round and the audit writer finishes what it started on the way (a
        // commit in flight while the clock jumps minutes would miss its deadline); then the round comes due on a clock
        // that stands still while it records its discovery.
        cluster.Time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));
        await app.Services.GetRequiredService<AuditWriter>().FlushAsync(_cancel);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await app.Logs.WaitForAsync(Jobs, "shield-b runs the job scheduled-discovery", count: 2);
        var report = await reports.Reader.ReadAsync(_cancel).AsTask().WaitAsync(Hang, _cancel);

        Assert.Equal("scheduled", report.Server);
        Assert.False(reports.Reader.TryRead(out _));
        var server = await app.Services.GetRequiredService<ServerCatalog>().FindAsync("scheduled", _cancel);
        Assert.Equal(cluster.Start.AddMinutes(30), server!.LastDiscoveryAtUtc);
    }

    [Fact]
    public async Task OfTwoInstances_OneRunsEachRound_AndTheOtherTakesOverWhenItStops()
    {
        using var cluster = new ClusterInstances();
        var first = cluster.Instance("shield-a");
        await using var stopped = first;
        await first.Logs.WaitForAsync(Jobs, "shield-a runs the job scheduled-discovery");
        await using var second = cluster.Instance("shield-b");
        await second.Logs.WaitForAsync(Jobs, "shield-b leaves this round of the job scheduled-discovery");
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("first", "The first tool.");
        await first.HttpServerAsync("scheduled", upstream.Url);
        var (byFirst, bySecond) = (Reports(first), Reports(second));

        cluster.Time.Advance(TimeSpan.FromMinutes(15));
        await byFirst.Reader.ReadAsync(_cancel).AsTask().WaitAsync(Hang, _cancel);
        await second.Logs.WaitForAsync(Jobs, "shield-b leaves this round of the job scheduled-discovery", count: 2);
        await first.DisposeAsync(); // stops, giving the lease up
        cluster.Time.Advance(TimeSpan.FromMinutes(15));
        await second.Logs.WaitForAsync(Jobs, "shield-b runs the job scheduled-discovery");
        await bySecond.Reader.ReadAsync(_cancel).AsTask().WaitAsync(Hang, _cancel);

        Assert.False(byFirst.Reader.TryRead(out _));
        Assert.False(bySecond.Reader.TryRead(out _));
    }

    [Fact]
    public async Task Retention_IsLeftWhileAnotherInstanceHoldsItsLease_AndRunsOnceItLapses()
    {
        using var cluster = new ClusterInstances();
        await using var app = cluster.Instance("shield-b", new() { ["Shield:Audit:RetentionDays"] = "1" });
        await app.Logs.WaitForAsync(Jobs, "shield-b runs the job audit-retention");
        await HandLeaseToAsync(app, AuditRetention.LeaseName, "shield-gone", cluster.Start.AddHours(26.5));

        cluster.Time.Advance(TimeSpan.FromHours(25)); // the records made at start are more than a day old now
        await app.Logs.WaitForAsync(Jobs, "shield-b no longer runs the job audit-retention");
        Assert.Empty(await app.RecordsAsync(AuditEventTypes.Pruned));
        // Retention counts back from the newest record, so the trail needs one of today.
        await app.Services.GetRequiredService<AuditWriter>().AppendAsync(new AuditRecord
        {
            AtUtc = cluster.Time.GetUtcNow().UtcDateTime, EventType = AuditEventTypes.CallCompleted, ActorKind = Actor.Agent, ActorId = "id", ActorName = "bot",
            Server = "files", Tool = "read",
        }, _cancel);
        cluster.Time.Advance(TimeSpan.FromHours(2));
        await app.Logs.WaitForAsync("AuditRetention", "Pruned");

        Assert.Single(await app.RecordsAsync(AuditEventTypes.Pruned));
    }

    [Fact]
    public async Task ARequestLeftPendingPastItsDeadline_IsExpiredByTheExpiryJob_AndOnlyThatOne()
    {
        using var cluster = new ClusterInstances();
        await using var app = cluster.Instance("shield-a");
        var (overdue, waiting) = (ClusterInstances.Pending(cluster.Start.AddMinutes(1)), ClusterInstances.Pending(cluster.Start.AddHours(1)));
        await using (var db = app.OpenDatabase())
        {
            db.ApprovalRequests.AddRange(overdue, waiting); // as if their calls waited on an instance that died
            await db.SaveChangesAsync(_cancel);
        }

        using var watch = new ApprovalWatch(app);
        cluster.Time.Advance(ApprovalExpiry.Interval + TimeSpan.FromMinutes(1));
        var expired = await watch.NextAsync(ApprovalEventKind.Decided).WaitAsync(Hang, _cancel);

        Assert.Equal((overdue.Id, ApprovalStatus.Expired), (expired.Id, expired.Status));
        await using var check = app.OpenDatabase();
        Assert.Equal(ApprovalStatus.Pending, (await check.ApprovalRequests.SingleAsync(r => r.Id == waiting.Id, _cancel)).Status);
        var record = Assert.Single(await app.RecordsAsync(AuditEventTypes.CallExpired));
        Assert.Contains("did not close it", record.Reason, StringComparison.Ordinal);
    }

    // As another instance that took the lease over would leave it.
    private static async Task HandLeaseToAsync(ShieldAppFactory app, string lease, string holder, DateTime untilUtc)
    {
        await using var db = app.OpenDatabase();
        var changed = await db.Leases.Where(l => l.Name == lease)
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Holder, holder).SetProperty(x => x.ExpiresAtUtc, untilUtc), TestContext.Current.CancellationToken);
        Assert.Equal(1, changed);
    }

    private static System.Threading.Channels.Channel<DiscoveryReport> Reports(ShieldAppFactory app)
    {
        var reports = System.Threading.Channels.Channel.CreateUnbounded<DiscoveryReport>();
        app.Services.GetRequiredService<DiscoveryService>().Completed += report => reports.Writer.TryWrite(report);
        return reports;
    }
}
