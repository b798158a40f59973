using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Registry;

/// <summary>
/// Discovers every enabled server again each <see cref="RegistryOptions.RefreshInterval"/>, so a tool that changes
/// upstream is quarantined without anyone asking. One server's failure never stops the others.
/// </summary>
internal sealed partial class DiscoveryRefresher(
    IDbContextFactory<ShieldDbContext> contexts,
    DiscoveryService discovery,
    IOptionsMonitor<RegistryOptions> options,
    TimeProvider time,
    ILogger<DiscoveryRefresher> logger) : BackgroundService
{
    private static readonly Actor Refresher = Actor.Shield("scheduled discovery");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.RefreshInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await RefreshAllAsync(stoppingToken);
        }
    }

    internal async Task RefreshAllAsync(CancellationToken cancellationToken)
    {
        List<string> names;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            names = await db.Servers.Where(s => s.Enabled).OrderBy(s => s.Name).Select(s => s.Name).ToListAsync(cancellationToken);
        }

        foreach (var name in names)
        {
            try
            {
                await discovery.DiscoverAsync(name, Refresher, cancellationToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogRefreshFailed(logger, error, name);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled discovery of server {Server} could not be recorded")]
    private static partial void LogRefreshFailed(ILogger logger, Exception error, string server);
}
