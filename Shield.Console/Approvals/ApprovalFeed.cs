using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Shield.Core.Cluster;

namespace Shield.Console.Approvals;

/// <summary>
/// The live queue: the requests waiting now, and every change to them pushed at once to console pages (subscriptions)
/// and to <see cref="ApprovalsHub"/> clients. One Shield instance holds the calls it queues; in a cluster, the queue
/// also shows what the other instances queued and decided (<see cref="Mirror"/>).
/// </summary>
public sealed partial class ApprovalFeed(IHubContext<ApprovalsHub> hub, IOptions<ClusterOptions> cluster, ILogger<ApprovalFeed> logger)
{
    private readonly ConcurrentDictionary<Guid, ApprovalView> _pending = new();
    private readonly Lock _gate = new();
    private Func<ApprovalEvent, Task>[] _handlers = [];

    /// <summary>The waiting requests, oldest first.</summary>
    public IReadOnlyList<ApprovalView> Pending => [.. _pending.Values.OrderBy(v => v.RequestedAt)];

    public int PendingCount => _pending.Count;

    /// <summary>Calls <paramref name="handler"/> with every change until the subscription is disposed.</summary>
    public IDisposable Subscribe(Func<ApprovalEvent, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers, handler];
        }

        return new Subscription(this, handler);
    }

    /// <summary>Records the change and pushes it; never waits on a listener, so no slow client holds up a decision.</summary>
    public void Publish(ApprovalEvent change) => Publish(change, toHub: true);

    /// <summary>
    /// A request as another instance left it, read from the database: queued, approved once more, or closed. Listeners
    /// here hear of what is new to this queue; hub clients too, unless the Redis backplane already brought them the
    /// other instance's own push.
    /// </summary>
    public void Mirror(ApprovalView view)
    {
        var known = _pending.TryGetValue(view.Id, out var queued);
        ApprovalEventKind? kind = view.IsPending
            ? !known ? ApprovalEventKind.Requested : queued!.ApprovedBy.Count != view.ApprovedBy.Count ? ApprovalEventKind.Updated : null
            : known ? ApprovalEventKind.Decided : null;
        if (kind is { } news)
        {
            Publish(new(news, view), toHub: !cluster.Value.HasRedis);
        }
    }

    private void Publish(ApprovalEvent change, bool toHub)
    {
        if (change.Kind == ApprovalEventKind.Decided)
        {
            _pending.TryRemove(change.View.Id, out _);
        }
        else
        {
            _pending[change.View.Id] = change.View;
        }

        foreach (var handler in Volatile.Read(ref _handlers))
        {
            _ = NotifyAsync(handler, change);
        }

        if (toHub)
        {
            _ = SendAsync(change);
        }
    }

    /// <summary>Takes a request out of the queue that could not be closed as usual; listeners are told it is decided.</summary>
    public void Forget(Guid id)
    {
        if (_pending.TryGetValue(id, out var view))
        {
            Publish(new(ApprovalEventKind.Decided, view with { Status = Shield.Core.Approvals.ApprovalStatus.Expired }));
        }
    }

    private async Task SendAsync(ApprovalEvent change)
    {
        try
        {
            await hub.Clients.All.SendAsync("Approval" + change.Kind, change.View);
        }
        catch (Exception error)
        {
            LogPushFailed(logger, error);
        }
    }

    private async Task NotifyAsync(Func<ApprovalEvent, Task> handler, ApprovalEvent change)
    {
        try
        {
            await handler(change);
        }
        catch (Exception error)
        {
            LogPushFailed(logger, error);
        }
    }

    private void Unsubscribe(Func<ApprovalEvent, Task> handler)
    {
        lock (_gate)
        {
            _handlers = [.. _handlers.Where(h => h != handler)];
        }
    }

    private sealed class Subscription(ApprovalFeed feed, Func<ApprovalEvent, Task> handler) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(handler);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An approval event could not be pushed to a listener")]
    private static partial void LogPushFailed(ILogger logger, Exception error);
}
