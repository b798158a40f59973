using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>
/// Runs one discovery of a server and applies its result in a single transaction: the inventory is either fully
/// updated or untouched (a failure is recorded on the server, with its reason, and changes no tool). Discoveries of
/// the same server never overlap; a second request waits for the first and then runs again.
/// </summary>
public sealed partial class DiscoveryService(
    IDbContextFactory<ShieldDbContext> contexts,
    ToolDiscoverer discoverer,
    IOptionsMonitor<RegistryOptions> options,
    TimeProvider time,
    ILogger<DiscoveryService> logger)
{
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _running = new();

    /// <summary>Raised after every discovery, successful or not, whoever started it (pages refresh on it).</summary>
    public event Action<DiscoveryReport>? Completed;

    /// <returns>The report, or null when no server has that name.</returns>
    public async Task<DiscoveryReport?> DiscoverAsync(string serverName, Actor actor, CancellationToken cancellationToken)
    {
        RegisteredServer? server;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            server = await db.Servers.AsNoTracking().SingleOrDefaultAsync(s => s.Name == serverName, cancellationToken);
        }

        if (server is null)
        {
            return null;
        }

        var gate = _running.GetOrAdd(server.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        DiscoveryReport report;
        try
        {
            report = await RunAsync(server, actor, cancellationToken);
        }
        finally
        {
            gate.Release();
        }

        Completed?.Invoke(report);
        return report;
    }

    private async Task<DiscoveryReport> RunAsync(RegisteredServer server, Actor actor, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var started = time.GetTimestamp();
        var startedAt = time.GetUtcNow().UtcDateTime;
        if (!server.Enabled)
        {
            return DiscoveryReport.Failed(server.Name, "The server is disabled. Enable it to discover its tools.", startedAt, 0);
        }

        var standardError = new OutputTail();
        DiscoveryListing? listing = null;
        string? error = null;
        using (var timeout = new CancellationTokenSource(settings.DiscoveryTimeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken))
        {
            try
            {
                listing = await discoverer.ListAsync(server, settings.Limits, settings.DiscoveryTimeout, standardError.Add, linked.Token);
            }
            catch (Exception failure) when (!cancellationToken.IsCancellationRequested && failure is not OutOfMemoryException)
            {
                error = DiscoveryErrors.Describe(failure, server, settings.DiscoveryTimeout, standardError.Text);
                LogDiscoveryFailed(logger, failure, server.Name, error);
            }
        }

        var elapsed = time.GetElapsedTime(started).TotalMilliseconds;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tracked = await db.Servers.Include(s => s.Tools).SingleOrDefaultAsync(s => s.Id == server.Id, cancellationToken);
        if (tracked is null)
        {
            return DiscoveryReport.Failed(server.Name, "The server was deleted while it was being discovered.", startedAt, elapsed);
        }

        tracked.LastDiscoveryAtUtc = startedAt;
        tracked.LastDiscoverySucceeded = listing is not null;
        tracked.LastDiscoveryError = error;
        if (listing is null)
        {
            await db.SaveChangesAsync(cancellationToken);
            return DiscoveryReport.Failed(server.Name, error!, startedAt, elapsed);
        }

        var (accepted, rejected) = ToolScreening.Screen(listing.Tools, settings.Limits);
        var declared = await db.ToolDecisions.AsNoTracking().Where(d => d.ServerName == tracked.Name).ToDictionaryAsync(d => d.ToolName, StringComparer.Ordinal, cancellationToken);
        var changes = InventoryReconciler.Reconcile(tracked, accepted, startedAt, declared);
        db.GovernanceChanges.AddRange([.. Records(tracked, changes, actor, startedAt)]);
        db.Tools.AddRange(changes.NewTools);
        db.ToolDefinitions.AddRange(changes.NewDefinitions);
        tracked.PromptCount = listing.PromptCount;
        tracked.ResourceCount = listing.ResourceCount;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await db.Tools.Where(t => t.ServerId == tracked.Id && t.State != ToolState.Removed)
                .ExecuteUpdateAsync(tool => tool.SetProperty(t => t.LastSeenAtUtc, startedAt), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });

        LogDiscovered(logger, server.Name, changes.Added.Count, changes.Quarantined.Count, changes.Removed.Count);
        return new DiscoveryReport(server.Name, true, null, startedAt, elapsed, changes.Added, changes.Changed, changes.Quarantined,
            changes.Removed, changes.Returned, changes.Unchanged, [.. listing.Rejected, .. rejected], listing.PromptCount, listing.ResourceCount);
    }

    private static IEnumerable<GovernanceChange> Records(RegisteredServer server, InventoryChanges changes, Actor actor, DateTime atUtc)
    {
        var tools = server.Tools.Concat(changes.NewTools).ToDictionary(t => t.Name, StringComparer.Ordinal);
        return new[] { ("discovered", changes.Added), ("changed", changes.Changed), ("quarantined", changes.Quarantined), ("removed", changes.Removed), ("returned", changes.Returned) }
            .SelectMany(kind => kind.Item2.Select(name => GovernanceChange.By(
                actor, atUtc, "tool", $"{server.Name}/{name}", kind.Item1, after: ToolSnapshot.Of(tools[name]))));
    }

    /// <summary>The last lines a stdio server wrote to its standard error, to explain why it failed.</summary>
    private sealed class OutputTail
    {
        private readonly Queue<string> _lines = new();

        public string Text
        {
            get
            {
                lock (_lines)
                {
                    return string.Join(" | ", _lines);
                }
            }
        }

        public void Add(string line)
        {
            lock (_lines)
            {
                _lines.Enqueue(line.Length > 300 ? line[..300] + "…" : line);
                while (_lines.Count > 5)
                {
                    _lines.Dequeue();
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery of server {Server} failed: {Reason}")]
    private static partial void LogDiscoveryFailed(ILogger logger, Exception error, string server, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovered server {Server}: {Added} new, {Quarantined} quarantined, {Removed} removed tool(s)")]
    private static partial void LogDiscovered(ILogger logger, string server, int added, int quarantined, int removed);
}
