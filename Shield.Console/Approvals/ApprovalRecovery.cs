using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Approvals;
using Shield.Core.Cluster;
using Shield.Core.Persistence;

namespace Shield.Console.Approvals;

/// <summary>
/// At the start of a single instance, requests left pending by a previous run have lost their caller (the call waited
/// in that process): each is marked expired and recorded. In a cluster the other instances' calls may still be waiting,
/// so nothing is touched at start: <see cref="ApprovalExpiry"/> closes whatever passes its deadline unanswered. Nothing
/// is ever approved by default.
/// </summary>
internal sealed class ApprovalRecovery(IDbContextFactory<ShieldDbContext> contexts, ApprovalDesk desk, IOptions<ClusterOptions> cluster) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (cluster.Value.Enabled)
        {
            return;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var orphans = await db.ApprovalRequests.Where(r => r.Status == ApprovalStatus.Pending).Select(r => r.Id).ToListAsync(cancellationToken);
        foreach (var id in orphans)
        {
            await desk.ExpireAsync(id, "Shield restarted while the call waited; its caller is gone, so the call was denied.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
