using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Redaction;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Console.Registry;

/// <summary>
/// Runs one discovery of a server and applies its result in a single transaction: the inventory is either fully
/// updated or untouched (a failure is recorded on the server, with its reason, and changes no tool). Discoveries of
/// the same server never overlap; a second request waits for the first and then runs again.
/// </summary>
public sealed partial class DiscoveryService(
    IDbContextFactory<ShieldDbContext> contexts,
    ToolDiscoverer discoverer,
    UpstreamConnector connector,
    Shield.Console.Policy.PolicyRefresh policy,
    SecurityEvents events,
    RedactorStore redaction,
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

        Announce(report);
        return report;
    }

    // One listener failing (a page whose circuit just closed) must not turn a committed discovery into an error.
    private void Announce(DiscoveryReport report)
    {
        foreach (var listener in Completed?.GetInvocationList().Cast<Action<DiscoveryReport>>() ?? [])
        {
            try
            {
                listener(report);
            }
            catch (Exception error)
            {
                LogListenerFailed(logger, error, report.Server);
            }
        }
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
        if (listing is null)
        {
            return await RecordFailureAsync(server, actor, connector.WithoutSecrets(error!, server), startedAt, elapsed, cancellationToken);
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyAsync(server, listing, actor, startedAt, elapsed, cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                // An administrator decided about a tool while this discovery ran: reconcile again, against their decision.
            }
            catch (DbUpdateException failure)
            {
                LogApplyFailed(logger, failure, server.Name);
                return await RecordFailureAsync(server, actor,
                    "Shield could not store what the server listed (see Shield's log); the inventory is unchanged.", startedAt, elapsed, cancellationToken);
            }
        }
    }

    private async Task<DiscoveryReport> ApplyAsync(RegisteredServer server, DiscoveryListing listing, Actor actor, DateTime startedAt, double elapsed, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var tracked = await db.Servers.Include(s => s.Tools).SingleOrDefaultAsync(s => s.Id == server.Id, cancellationToken);
        if (tracked is null)
        {
            return DiscoveryReport.Failed(server.Name, "The server was deleted while it was being discovered.", startedAt, elapsed);
        }

        var rejections = listing.Rejected;
        var declared = await db.ToolDecisions.AsNoTracking().Where(d => d.ServerName == tracked.Name)
            .ToDictionaryAsync(d => d.ToolName, StringComparer.Ordinal, cancellationToken);
        var changes = InventoryReconciler.Reconcile(tracked, listing.Tools, startedAt, declared);
        db.GovernanceChanges.AddRange([.. Records(tracked, changes, actor, declared, startedAt)]);
        db.Tools.AddRange(changes.NewTools);
        var (recorded, dropped) = await HistoryAsync(db, tracked, changes, settings.MaxDefinitionsPerTool, cancellationToken);
        db.ToolDefinitions.AddRange(recorded);
        tracked.LastDiscoveryAtUtc = startedAt;
        tracked.LastDiscoverySucceeded = true;
        tracked.LastDiscoveryError = null;
        tracked.LastDiscoveryRejections = [.. rejections.Take(100).Select(r => $"{r.Name}: {r.Reason}".Clip(300))];
        tracked.PromptCount = listing.PromptCount;
        // The relay speaks the recorded revision upstream: a server that changed revision is reloaded into its catalog.
        var revision = listing.Revision?.Clip(32);
        var revisionChanged = tracked.ProtocolRevision != revision;
        if (revisionChanged || tracked.ProtocolRevisionLearnedAtUtc is null)
        {
            tracked.ProtocolRevision = revision;
            tracked.ProtocolRevisionLearnedAtUtc = startedAt;
        }

        tracked.ResourceCount = listing.ResourceCount;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            if (dropped.Count > 0)
            {
                await db.ToolDefinitions.Where(d => dropped.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
            }

            await db.Tools.Where(t => t.ServerId == tracked.Id && t.State != ToolState.Removed && t.State != ToolState.Blocked)
                .ExecuteUpdateAsync(tool => tool.SetProperty(t => t.LastSeenAtUtc, startedAt), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });

        if (changes.Any || changes.Decided.Count > 0 || revisionChanged)
        {
            await policy.RefreshAsync(CancellationToken.None);
        }

        LogDiscovered(logger, server.Name, changes.Added.Count, changes.Quarantined.Count, changes.Removed.Count);
        return new DiscoveryReport(server.Name, true, null, startedAt, elapsed, changes.Added, changes.Changed, changes.Quarantined,
            changes.Removed, changes.Returned, changes.Unchanged, rejections, listing.PromptCount, listing.ResourceCount, revision);
    }

    /// <summary>
    /// The definitions to add to the tools' histories (one a tool had before, a server switching back and forth, is
    /// already there), and those to drop so that each changed tool keeps at most <paramref name="cap"/>: its current
    /// and approved definitions always, then the newest others. A server that rewrites its tools on every discovery
    /// so costs a bounded history, not a growing one.
    /// </summary>
    private static async Task<(List<ToolDefinitionRecord> Added, List<long> Dropped)> HistoryAsync(
        ShieldDbContext db, RegisteredServer server, InventoryChanges changes, int cap, CancellationToken cancellationToken)
    {
        var ids = changes.NewDefinitions.Select(d => d.ToolId).ToList();
        var history = await db.ToolDefinitions.Where(d => ids.Contains(d.ToolId)).Select(d => new { d.Id, d.ToolId, d.Fingerprint }).ToListAsync(cancellationToken);
        var known = history.Select(d => (d.ToolId, d.Fingerprint)).ToHashSet();
        var added = changes.NewDefinitions.Where(d => known.Add((d.ToolId, d.Fingerprint))).ToList();
        var tools = server.Tools.ToDictionary(t => t.Id);
        List<long> dropped = [];
        foreach (var kept in history.GroupBy(d => d.ToolId).Where(g => tools.ContainsKey(g.Key)))
        {
            var tool = tools[kept.Key];
            bool Pinned(string fingerprint) => fingerprint == tool.Fingerprint || fingerprint == tool.ApprovedFingerprint;
            var pinned = kept.Count(d => Pinned(d.Fingerprint)) + added.Count(d => d.ToolId == kept.Key && Pinned(d.Fingerprint));
            dropped.AddRange(kept.Where(d => !Pinned(d.Fingerprint)).OrderByDescending(d => d.Id).Skip(Math.Max(0, cap - pinned)).Select(d => d.Id));
        }

        return (added, dropped);
    }

    // The failure is kept on the server and recorded in the audit trail (without waiting: nothing changed that needs it).
    private async Task<DiscoveryReport> RecordFailureAsync(RegisteredServer server, Actor actor, string error, DateTime startedAt, double elapsed, CancellationToken cancellationToken)
    {
        error = error.Clip(4000);
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (await db.Servers.SingleOrDefaultAsync(s => s.Id == server.Id, cancellationToken) is { } tracked)
            {
                tracked.LastDiscoveryAtUtc = startedAt;
                tracked.LastDiscoverySucceeded = false;
                tracked.LastDiscoveryError = error;
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        await events.RecordAsync(new AuditRecord
        {
            EventType = AuditEventTypes.DiscoveryFailed,
            ActorKind = actor.Kind,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Server = server.Name,
            Subject = "server",
            SubjectKey = server.Name,
            Action = "discovery",
            Outcome = "failed",
            // The trail outlives the server and leaves Shield in exports: a secret a server printed is masked there.
            Reason = redaction.Current.RedactText(error),
            DurationMicroseconds = (long)(elapsed * 1000),
        });
        return DiscoveryReport.Failed(server.Name, error, startedAt, elapsed);
    }


    private static IEnumerable<GovernanceChange> Records(
        RegisteredServer server, InventoryChanges changes, Actor actor, IReadOnlyDictionary<string, ToolDecision> declared, DateTime atUtc)
    {
        var tools = server.Tools.Concat(changes.NewTools).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var discovered = new[]
            {
                (ChangeActions.Discovered, changes.Added), (ChangeActions.Changed, changes.Changed), (ChangeActions.Quarantined, changes.Quarantined),
                (ChangeActions.Removed, changes.Removed), (ChangeActions.Returned, changes.Returned),
            }
            .SelectMany(kind => kind.Item2.Select(name => GovernanceChange.By(
                actor, atUtc, "tool", QualifiedToolName.Of(server.Name, name), kind.Item1, after: ToolSnapshot.Of(tools[name]))));

        // A decision declared in advance is attributed to whoever declared it, not to the discovery that found the tool.
        var decided = changes.Decided.Select(d => GovernanceChange.By(
            declared[d.Tool].Declarer, atUtc, "tool", QualifiedToolName.Of(server.Name, d.Tool), d.Action, after: ToolSnapshot.Of(tools[d.Tool])));
        return discovered.Concat(decided);
    }

    /// <summary>
    /// What a stdio server wrote to its standard error that explains why it failed: the first line that reads like the
    /// error (for Node, "Error: Cannot find module …", which its stack trace and details push out of any tail), and
    /// the last lines, stack frames and blank lines left out.
    /// </summary>
    private sealed partial class OutputTail
    {
        private const int Kept = 5;
        private readonly Queue<string> _lines = new();
        private string? _explaining;

        public string Text
        {
            get
            {
                lock (_lines)
                {
                    return _explaining is null || _lines.Contains(_explaining)
                        ? string.Join(" | ", _lines)
                        : string.Join(" | ", [_explaining, "…", .. _lines]);
                }
            }
        }

        public void Add(string line)
        {
            if (string.IsNullOrWhiteSpace(line) || StackFrame().IsMatch(line))
            {
                return;
            }

            line = line.Trim();
            line = line.Length > 300 ? line[..300] + "…" : line;
            lock (_lines)
            {
                if (_explaining is null && Explaining().IsMatch(line))
                {
                    _explaining = line;
                }

                _lines.Enqueue(line);
                while (_lines.Count > Kept)
                {
                    _lines.Dequeue();
                }
            }
        }

        // "    at Module._load (…)" (Node, Java, .NET), "  File "x.py", line 3" (Python).
        [System.Text.RegularExpressions.GeneratedRegex(@"^\s+(at\s|File\s"")")]
        private static partial System.Text.RegularExpressions.Regex StackFrame();

        [System.Text.RegularExpressions.GeneratedRegex(@"\b(error|exception|cannot|can't|could not|not found|no such|denied|fatal|traceback|panic)\b",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
        private static partial System.Text.RegularExpressions.Regex Explaining();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery of server {Server} failed: {Reason}")]
    private static partial void LogDiscoveryFailed(ILogger logger, Exception error, string server, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A listener to the discovery of server {Server} failed")]
    private static partial void LogListenerFailed(ILogger logger, Exception error, string server);

    [LoggerMessage(Level = LogLevel.Error, Message = "The discovery of server {Server} could not be stored")]
    private static partial void LogApplyFailed(ILogger logger, Exception error, string server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovered server {Server}: {Added} new, {Quarantined} quarantined, {Removed} removed tool(s)")]
    private static partial void LogDiscovered(ILogger logger, string server, int added, int quarantined, int removed);
}
