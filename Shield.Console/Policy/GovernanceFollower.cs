using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Cluster;
using Shield.Console.Sessions;
using Shield.Core.Cluster;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Policy;

/// <summary>
/// Follows the governance changes committed anywhere (this instance, another instance of the cluster, a refresh a
/// failure cut short): every <see cref="ClusterOptions.PollInterval"/> (2 s by default), and at once when another instance
/// signals one (<see cref="ClusterSignalKind.Governance"/>), it reads the changes it has not seen, in one indexed query on
/// their ids. A change of servers, tools, agents, grants or redaction rules rebuilds the policy snapshot; a session
/// ended or revoked is forgotten here, so its next request is refused and its open MCP sessions close. A change of the
/// approval threshold in configuration rebuilds at once.
/// </summary>
internal sealed partial class GovernanceFollower(
    IDbContextFactory<ShieldDbContext> contexts,
    PolicyRefresh refresh,
    SessionIssuer sessions,
    ClusterSignals signals,
    IOptions<ClusterOptions> cluster,
    IOptionsMonitor<ApprovalOptions> options,
    TimeProvider time,
    ILogger<GovernanceFollower> logger) : BackgroundService
{
    private const int BatchSize = 1_000;
    private const int MaxHolesPerJump = 64;

    // How long an id skipped over is looked for: a change committed after a newer one (ids are handed out before commit)
    // arrives within it; a rolled-back insert leaves its id unused forever.
    private static readonly TimeSpan HoleLifetime = TimeSpan.FromMinutes(1);

    private readonly Dictionary<long, DateTime> _holes = [];
    private long? _through;

    /// <summary>Reads the changes not seen yet and acts on them; the first look rebuilds the policy whatever it finds.</summary>
    public async Task LookAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (_through is not { } through)
        {
            // A change made elsewhere between start-up and now is not missed.
            _through = await db.GovernanceChanges.MaxAsync(c => (long?)c.Id, cancellationToken) ?? 0;
            await refresh.RefreshAsync(cancellationToken);
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        List<long> holes = [.. _holes.Keys];
        var changes = await db.GovernanceChanges.AsNoTracking().Where(c => c.Id > through || holes.Contains(c.Id)).OrderBy(c => c.Id).Take(BatchSize)
            .Select(c => new { c.Id, c.Subject, c.SubjectKey, c.Action }).ToListAsync(cancellationToken);
        foreach (var change in changes)
        {
            _holes.Remove(change.Id);
            // A jump wider than that is an identity range skipped (SQL Server's after a restart), not changes in flight.
            for (var skipped = Math.Max(_through.Value + 1, change.Id - MaxHolesPerJump); skipped < change.Id; skipped++)
            {
                _holes.TryAdd(skipped, now);
            }

            _through = Math.Max(_through.Value, change.Id);
        }

        foreach (var (id, since) in _holes.Where(h => now - h.Value > HoleLifetime).ToList())
        {
            _holes.Remove(id);
        }

        var ended = changes.Where(c => c is { Subject: "session" } && c.Action != ChangeActions.Created && Guid.TryParse(c.SubjectKey, out _))
            .Select(c => Guid.Parse(c.SubjectKey)).ToList();
        if (ended.Count > 0)
        {
            await sessions.ForgetEndedAsync(ended, cancellationToken);
        }

        if (changes.Any(c => c.Subject != "session"))
        {
            await refresh.RefreshAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var thresholdChanged = options.OnChange(_ => RefreshInBackground());
        var loop = new PollingLoop(time, cluster.Value.PollInterval, lookAtOnce: false);
        signals.Subscribe(ClusterSignalKind.Governance, _ =>
        {
            loop.Wake();
            return Task.CompletedTask;
        });
        await loop.RunAsync(LookAsync, error => LogFollowFailed(logger, error), stoppingToken);
    }

    private async void RefreshInBackground()
    {
        try
        {
            await refresh.RefreshAsync(CancellationToken.None);
        }
        catch (Exception error)
        {
            LogFollowFailed(logger, error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The governance changes could not be checked; they are looked for again shortly")]
    private static partial void LogFollowFailed(ILogger logger, Exception error);
}
