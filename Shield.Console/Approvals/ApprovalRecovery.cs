using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Approvals;
using Shield.Core.Cluster;
using Shield.Core.Persistence;

namespace Shield.Console.Approvals;

/// <summary>
/// At the start of a single instance, requests left pending by a previous run whose call was held in that process have
/// lost their caller: each is marked expired and recorded. A request whose call waits in rounds
/// (<see cref="ApprovalWaiting.InRounds"/>) has lost nothing: its agent asks again, so it stays pending until its own
/// deadline and is back in the queue for reviewers. In a cluster the other instances' calls may still be waiting, so
/// nothing is expired at start. Either way <see cref="ApprovalExpiry"/> closes whatever passes its deadline unanswered.
/// Nothing is ever approved by default.
/// </summary>
internal sealed class ApprovalRecovery(IDbContextFactory<ShieldDbContext> contexts, ApprovalDesk desk, IOptions<ClusterOptions> cluster) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (cluster.Value.Enabled)
        {
            return;
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var orphans = await db.ApprovalRequests.Where(r => r.Status == ApprovalStatus.Pending && r.Waiting == ApprovalWaiting.Held)
                .Select(r => r.Id).ToListAsync(cancellationToken);
            foreach (var id in orphans)
            {
                await desk.ExpireAsync(id, "Shield restarted while the call waited; its caller is gone, so the call was denied.");
            }
        }

        // What still waits (in rounds) is queued again, as an instance of a cluster queues what the others wait on.
        await desk.FollowAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
