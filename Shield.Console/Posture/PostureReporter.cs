using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Auditing;
using Shield.Console.Sessions;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Posture;

/// <summary>Builds the <see cref="PostureReport"/> from the database and the policy engine's current snapshot.</summary>
public sealed class PostureReporter(
    IDbContextFactory<ShieldDbContext> contexts,
    PolicyStore policy,
    IOptions<AgentSessionOptions> sessions,
    IOptions<AuditOptions> audit,
    AuditWriter writer,
    AuditKeyring keyring,
    TimeProvider time)
{
    public async Task<PostureReport> BuildAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var snapshot = policy.Current;
        // One pass over the trail's event types and one over agents × tools serve every section that needs them.
        var byType = await db.AuditRecords.GroupBy(r => r.EventType).Select(g => new { Type = g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Type, g => g.Count, cancellationToken);
        var (access, gated) = Access(snapshot);
        return new PostureReport(now,
            await ServersAsync(db, cancellationToken),
            access with { Grants = await db.Grants.CountAsync(cancellationToken) },
            await AuditAsync(db, byType, cancellationToken),
            await ApprovalsAsync(db, snapshot.Threshold, gated, cancellationToken),
            new PostureSessions(sessions.Value.DefaultTtl, sessions.Value.MaxTtl,
                await db.Sessions.CountAsync(s => s.ExpiresAtUtc > now && s.EndedAtUtc == null, cancellationToken),
                await db.Agents.CountAsync(a => a.KeySha256 != null, cancellationToken),
                await db.Agents.CountAsync(a => a.EntraClientId != null, cancellationToken)),
            PostureSecurityEvents.From(byType));
    }

    // Counted by request, not by record: a critical tool's call approved by two reviewers is one approval.
    private static async Task<PostureApprovals> ApprovalsAsync(ShieldDbContext db, RiskLevel threshold, int gated, CancellationToken cancellationToken)
    {
        var byStatus = await db.ApprovalRequests.GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return new PostureApprovals(threshold, gated, byStatus.Values.Sum(), byStatus.GetValueOrDefault(ApprovalStatus.Approved),
            byStatus.GetValueOrDefault(ApprovalStatus.Denied), byStatus.GetValueOrDefault(ApprovalStatus.Expired));
    }

    /// <summary>Tool calls decided and calls refused (denied, rejected or expired), per hour, over the last hours.</summary>
    public async Task<IReadOnlyList<PostureHour>> ActivityAsync(int hours = 24, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var start = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(1 - hours);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var buckets = await db.AuditRecords.Where(r => r.AtUtc >= start && r.EventType.StartsWith("tool-call."))
            .GroupBy(r => new { r.AtUtc.Date, r.AtUtc.Hour, r.EventType })
            .Select(g => new { g.Key.Date, g.Key.Hour, g.Key.EventType, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return
        [
            .. Enumerable.Range(0, hours).Select(i => start.AddHours(i)).Select(hour =>
            {
                var inHour = buckets.Where(b => b.Date == hour.Date && b.Hour == hour.Hour).ToList();
                return new PostureHour(hour,
                    inHour.Where(b => b.EventType is AuditEventTypes.CallAllowed or AuditEventTypes.CallDenied or AuditEventTypes.CallApprovalRequired).Sum(b => b.Count),
                    inHour.Where(b => b.EventType is AuditEventTypes.CallDenied or AuditEventTypes.CallRejected or AuditEventTypes.CallExpired).Sum(b => b.Count));
            }),
        ];
    }

    private static async Task<PostureServers> ServersAsync(ShieldDbContext db, CancellationToken cancellationToken)
    {
        var servers = await db.Servers.AsNoTracking().OrderBy(s => s.Name)
            .Select(s => new { s.Id, s.Name, s.Transport, s.Enabled, s.LastDiscoveryAtUtc, s.LastDiscoverySucceeded }).ToListAsync(cancellationToken);
        var counts = (await db.Tools.AsNoTracking().GroupBy(t => new { t.ServerId, t.State }).Select(g => new { g.Key.ServerId, g.Key.State, Count = g.Count() })
            .ToListAsync(cancellationToken)).ToLookup(c => c.ServerId);
        return new PostureServers(servers.Count, servers.Count(s => s.Enabled),
        [
            .. servers.Select(s => new PostureServer(s.Name, s.Transport, s.Enabled, s.LastDiscoveryAtUtc, s.LastDiscoverySucceeded,
                Enum.GetValues<ToolState>().ToDictionary(state => state, state => counts[s.Id].Where(c => c.State == state).Sum(c => c.Count)))),
        ]);
    }

    // Per agent, how many callable tools it may call, only with approval, or not at all; and how many tools are gated:
    // their risk forces approval, or some agent may call them only with approval.
    private static (PostureAccess Access, int GatedTools) Access(PolicySnapshot snapshot)
    {
        var callable = snapshot.CallableTools;
        HashSet<PolicyTool> gated = [.. callable.Where(t => t.Risk >= snapshot.Threshold)];
        List<PostureAgent> agents = [];
        foreach (var agent in snapshot.Agents.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            int allowed = 0, approval = 0;
            foreach (var tool in callable)
            {
                switch (snapshot.Decide(agent.Name, tool.Server, tool.Name).Kind)
                {
                    case DecisionKind.Allow:
                        allowed++;
                        break;
                    case DecisionKind.RequireApproval:
                        approval++;
                        gated.Add(tool);
                        break;
                }
            }

            agents.Add(new PostureAgent(agent.Name, agent.Enabled, allowed, approval, callable.Count - allowed - approval));
        }

        return (new PostureAccess(agents.Count, agents.Count(a => a.Enabled), 0, callable.Count, agents), gated.Count);
    }

    private async Task<PostureAudit> AuditAsync(ShieldDbContext db, Dictionary<string, long> byType, CancellationToken cancellationToken)
    {
        var first = await db.AuditRecords.OrderBy(r => r.Sequence).Select(r => (DateTime?)r.AtUtc).FirstOrDefaultAsync(cancellationToken);
        var last = await db.AuditRecords.OrderByDescending(r => r.Sequence).Select(r => (DateTime?)r.AtUtc).FirstOrDefaultAsync(cancellationToken);
        var verification = await db.AuditVerifications.AsNoTracking().OrderByDescending(v => v.Id)
            .Select(v => new PostureVerification(v.AtUtc, v.Intact, v.RecordsChecked, v.BrokenAt, v.Problem, v.By)).FirstOrDefaultAsync(cancellationToken);
        return new PostureAudit(byType.Values.Sum(), byType.Where(t => t.Key.StartsWith("tool-call.", StringComparison.Ordinal)).Sum(t => t.Value),
            byType.GetValueOrDefault(AuditEventTypes.Governance), first, last, verification, audit.Value.RetentionDays,
            await IntegrityAsync(db, byType, cancellationToken));
    }

    private async Task<PostureIntegrity> IntegrityAsync(ShieldDbContext db, Dictionary<string, long> byType, CancellationToken cancellationToken)
    {
        var gaps = await db.AuditRecords.AsNoTracking().TrailEvents(AuditEventTypes.Gap).ToListAsync(cancellationToken);
        var outside = keyring.ChainKeyOutsideDatabase;
        return new PostureIntegrity(
            outside ? "file" : "database",
            outside ? null : $"{AuditOptions.SectionName}:KeyFile is not set: the chain key is kept in the database, so whoever can read and write the database can forge records.",
            writer.Anchors.Path,
            writer.AnchorFailure,
            byType.GetValueOrDefault(AuditEventTypes.TamperDetected),
            writer.Tamper is { } tamper ? (tamper.Halted ? tamper.Refusal : $"Tampering found at start ({tamper.Finding.Problem}) was acknowledged in record {tamper.AcknowledgedIn}.") : null,
            gaps.Count,
            gaps.Sum(g => AuditGap.Read(g)?.Calls ?? 0));
    }
}
