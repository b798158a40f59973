using Microsoft.EntityFrameworkCore;
using Shield.Core.Approvals;

namespace Shield.Console.Approvals;

// What the desk learns of requests opened or changed elsewhere: on another instance of a cluster, or earlier by a call
// that does not hold its request open (a 2026-07-28 client asking again in rounds).
public sealed partial class ApprovalDesk
{
    /// <summary>
    /// The verdict to come on a request opened earlier, here or on another instance (a call that does not hold its
    /// request open comes back for it): at once when the request is closed already.
    /// </summary>
    public async Task<Task<ApprovalVerdict>> WatchAsync(ApprovalRequest request)
    {
        // Under the lock every decision takes, so none is missed between reading the request and watching it.
        await _changes.WaitAsync();
        try
        {
            if (_waiters.TryGetValue(request.Id, out var waiting))
            {
                return waiting.Verdict.Task;
            }

            await using var db = await contexts.CreateDbContextAsync();
            var now = await db.ApprovalRequests.AsNoTracking().FirstAsync(r => r.Id == request.Id);
            return now.IsPending ? _waiters.GetOrAdd(request.Id, _ => new Waiter(null)).Verdict.Task : Task.FromResult(Verdict(ApprovalView.Of(now)));
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// Looks at a request another instance changed, in the database: a call waiting here gets its verdict once it is
    /// closed, and this instance's queue shows it as it stands. Nothing is decided here.
    /// </summary>
    public async Task LookAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            if (await db.ApprovalRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken) is { } request)
            {
                Found(ApprovalView.Of(request));
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// Brings this instance's queue and waiting calls in line with the database: one query for the pending requests, and
    /// one for each request that left the queue since (decided, expired or withdrawn on another instance).
    /// </summary>
    public async Task FollowAsync(CancellationToken cancellationToken = default)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var pending = await db.ApprovalRequests.AsNoTracking().Where(r => r.Status == ApprovalStatus.Pending)
                .OrderBy(r => r.RequestedAtUtc).ToListAsync(cancellationToken);
            var open = pending.Select(r => r.Id).ToHashSet();
            foreach (var request in pending)
            {
                Found(ApprovalView.Of(request));
            }

            foreach (var id in feed.Pending.Select(v => v.Id).Union(_waiters.Keys).Where(id => !open.Contains(id)).ToList())
            {
                if (await db.ApprovalRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken) is { } closed)
                {
                    Found(ApprovalView.Of(closed));
                }
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    // A request as the database has it now, changed by another instance: the waiting call first, then the queue.
    private void Found(ApprovalView view)
    {
        if (!view.IsPending && _waiters.TryRemove(view.Id, out var waiter))
        {
            waiter.Close();
            waiter.Verdict.TrySetResult(Verdict(view));
        }

        feed.Mirror(view);
    }
}
