using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Shield.Console.Authentication;

namespace Shield.Console.Approvals;

/// <summary>
/// The open <c>/hubs/approvals</c> connections, checked again every <see cref="Interval"/> as the API checks every
/// call: a connection whose account was disabled or changed, or no longer holds the reviewer role, is closed, so it
/// stops receiving the queue.
/// </summary>
public sealed partial class ReviewerConnections(IServiceScopeFactory scopes, TimeProvider time, ILogger<ReviewerConnections> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new(StringComparer.Ordinal);

    public void Opened(HubCallerContext connection) => _open[connection.ConnectionId] = connection;

    public void Closed(HubCallerContext connection) => _open.TryRemove(connection.ConnectionId, out _);

    /// <summary>Closes every connection whose person may no longer review.</summary>
    public async Task CheckAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        var authorization = scope.ServiceProvider.GetRequiredService<IAuthorizationService>();
        foreach (var (id, connection) in _open)
        {
            var user = connection.User;
            if (user is not null && (await authorization.AuthorizeAsync(user, ShieldPolicies.ApiCaller)).Succeeded
                && (await authorization.AuthorizeAsync(user, ShieldPolicies.Review)).Succeeded)
            {
                continue;
            }

            _open.TryRemove(id, out _);
            LogClosed(logger, user?.Identity?.Name);
            connection.Abort();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckAsync();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogCheckFailed(logger, error);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed the approvals hub connection of {Name}: the account may no longer review")]
    private static partial void LogClosed(ILogger logger, string? name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The approvals hub connections could not be checked; they are checked again shortly")]
    private static partial void LogCheckFailed(ILogger logger, Exception error);
}
