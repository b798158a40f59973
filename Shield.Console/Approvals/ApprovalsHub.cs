using Microsoft.AspNetCore.SignalR;

namespace Shield.Console.Approvals;

/// <summary>
/// <c>/hubs/approvals</c>, for reviewers' clients outside the console (a desktop notifier, a chat bridge). Shield pushes
/// <c>ApprovalRequested</c>, <c>ApprovalUpdated</c> and <c>ApprovalDecided</c>, each with an <see cref="ApprovalView"/>;
/// a client that (re)connects calls <see cref="Pending"/> to catch up. Decisions go through the API.
/// </summary>
public sealed class ApprovalsHub(ApprovalFeed feed, ReviewerConnections connections) : Hub
{
    public const string Path = "/hubs/approvals";

    public IReadOnlyList<ApprovalView> Pending() => feed.Pending;

    public override Task OnConnectedAsync()
    {
        connections.Opened(Context);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Closed(Context);
        return base.OnDisconnectedAsync(exception);
    }
}
