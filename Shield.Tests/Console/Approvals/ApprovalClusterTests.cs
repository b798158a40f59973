using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Cluster;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary>Approval requests on a database shared by several instances.</summary>
public sealed class ApprovalClusterTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60); // a guard against a hang, not a measurement
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ACallWaitingOnOneInstance_GetsTheVerdictAnotherInstanceStored_AtItsDeadlineAtTheLatest()
    {
        using var cluster = new ClusterInstances();
        await using var a = cluster.Instance("shield-a");
        await using var b = cluster.Instance("shield-b");
        var request = ClusterInstances.Pending(cluster.Start.AddMinutes(5));
        var verdict = await a.Services.GetRequiredService<ApprovalDesk>().OpenAsync(request);

        var denied = await b.Services.GetRequiredService<ApprovalDesk>().DecideAsync(request.Id, new Reviewer("r-1", "reviewer@shield.test"), false, "Not on a Friday", _cancel);
        Assert.Equal(ApprovalStatus.Denied, denied.Value!.Status);
        cluster.Time.Advance(TimeSpan.FromMinutes(5)); // the waiting instance's own deadline

        var result = await verdict.WaitAsync(Hang, _cancel);
        Assert.Equal(ApprovalStatus.Denied, result.Status);
        Assert.Contains("Not on a Friday", result.Message, StringComparison.Ordinal);
        Assert.Empty(await a.RecordsAsync(AuditEventTypes.CallExpired));
    }
}

/// <summary>In a cluster (a server database), an instance that starts leaves the other instances' waiting calls alone.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ApprovalClusterOnPostgresTests(PostgresServer postgres)
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60); // a guard against a hang, not a measurement
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AStartingInstance_LeavesPendingRequestsAlone_AndTheExpiryJobClosesThemOnceOverdue()
    {
        using var cluster = new ClusterInstances(postgres, cluster: true);
        await using var a = cluster.Instance("shield-a");
        var request = ClusterInstances.Pending(cluster.Start.AddMinutes(5)); // its call waits on a live instance
        await using (var db = a.OpenDatabase())
        {
            db.ApprovalRequests.Add(request);
            await db.SaveChangesAsync(_cancel);
        }

        await using var b = cluster.Instance("shield-b");
        await using (var db = b.OpenDatabase())
        {
            Assert.Equal(ApprovalStatus.Pending, (await db.ApprovalRequests.SingleAsync(r => r.Id == request.Id, _cancel)).Status);
        }

        using var watchA = new ApprovalWatch(a);
        using var watchB = new ApprovalWatch(b);
        cluster.Time.Advance(TimeSpan.FromMinutes(5) + ApprovalExpiry.Interval * 2);
        var decided = await Task.WhenAny(watchA.NextAsync(ApprovalEventKind.Decided), watchB.NextAsync(ApprovalEventKind.Decided)).Unwrap().WaitAsync(Hang, _cancel);

        Assert.Equal((request.Id, ApprovalStatus.Expired), (decided.Id, decided.Status));
        Assert.Contains("did not close it", Assert.Single(await a.RecordsAsync(AuditEventTypes.CallExpired)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutRedis_ARequestRaisedOnA_ReachesBsQueue_AndBsDecisionReleasesTheCall_AtTheNextLook()
    {
        using var cluster = new ClusterInstances(postgres, cluster: true);
        await using var a = cluster.Instance("shield-a");
        await using var b = cluster.Instance("shield-b");
        using var watchB = new ApprovalWatch(b);
        var request = ClusterInstances.Pending(cluster.Start.AddMinutes(5));
        var verdict = await a.Services.GetRequiredService<ApprovalDesk>().OpenAsync(request);

        cluster.Time.Advance(new ClusterOptions().PollInterval);
        Assert.Equal(request.Id, (await watchB.NextAsync(ApprovalEventKind.Requested).WaitAsync(Hang, _cancel)).Id);
        Assert.Equal(request.Id, Assert.Single(b.Services.GetRequiredService<ApprovalFeed>().Pending).Id);
        await b.Services.GetRequiredService<ApprovalDesk>().DecideAsync(request.Id, new Reviewer("r-1", "reviewer@shield.test"), false, "Not on a Friday", _cancel);
        cluster.Time.Advance(new ClusterOptions().PollInterval);

        var result = await verdict.WaitAsync(Hang, _cancel);
        Assert.Equal(ApprovalStatus.Denied, result.Status);
        Assert.Contains("Not on a Friday", result.Message, StringComparison.Ordinal);
        Assert.Empty(a.Services.GetRequiredService<ApprovalFeed>().Pending);
    }
}
