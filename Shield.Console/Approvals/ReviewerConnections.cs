using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Shield.Console.Accounts;
using Shield.Console.Authentication;

namespace Shield.Console.Approvals;

/// <summary>
/// The open <c>/hubs/approvals</c> connections, checked again as the API checks every call: at once when an account
/// changes in this instance, and every <see cref="Interval"/> for changes made elsewhere (another instance, the
/// database). A connection whose account was disabled or changed, or no longer holds the reviewer role, is closed, so
/// it stops receiving the queue.
/// </summary>
public sealed partial class ReviewerConnections : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, HubCallerContext> _open = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ILogger<ReviewerConnections> _logger;

    public ReviewerConnections(IServiceScopeFactory scopes, AccountChanges accounts, TimeProvider time, ILogger<ReviewerConnections> logger)
    {
        (_scopes, _time, _logger) = (scopes, time, logger);
        accounts.Changed += Wake;
    }

    public void Opened(HubCallerContext connection) => _open[connection.ConnectionId] = connection;

    public void Closed(HubCallerContext connection) => _open.TryRemove(connection.ConnectionId, out _);

    /// <summary>Closes every connection whose person may no longer review.</summary>
    public async Task CheckAsync()
    {
        await using var scope = _scopes.CreateAsyncScope();
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
            LogClosed(_logger, user?.Identity?.Name);
            connection.Abort();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var round = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                await Task.WhenAny(Task.Delay(Interval, _time, round.Token), _wake.WaitAsync(round.Token));
                await round.CancelAsync();
            }

            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                await CheckAsync();
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogCheckFailed(_logger, error);
            }
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already woken: the next round sees this change too.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed the approvals hub connection of {Name}: the account may no longer review")]
    private static partial void LogClosed(ILogger logger, string? name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The approvals hub connections could not be checked; they are checked again shortly")]
    private static partial void LogCheckFailed(ILogger logger, Exception error);
}
