using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Api;
using Shield.Console.Common;
using Shield.Console.Policy;
using Shield.Core.Governance;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Console.Registry;

/// <summary>
/// The administrator's decisions on tools: approve (pinning the exact definition reviewed), block, and set the risk.
/// An approval names the fingerprint the administrator saw; if the server changed the tool in the meantime, the
/// approval is refused rather than applied to a definition nobody reviewed.
/// </summary>
public sealed class ToolReview(IDbContextFactory<ShieldDbContext> contexts, PolicyRefresh policy, TimeProvider time)
{
    // A tool as the grid and the API list it, without schemas, read straight from the database.
    private static readonly Expression<Func<RegisteredTool, ToolView>> View = t => new ToolView(
        t.Id, t.Server!.Name, t.Name, t.Title, t.Description, t.State, t.Risk, t.SuggestedRisk, t.Fingerprint, t.ApprovedFingerprint,
        t.State == ToolState.Approved && t.Fingerprint == t.ApprovedFingerprint, t.FirstSeenAtUtc, t.LastSeenAtUtc, t.ReviewedBy, t.ReviewedAtUtc);

    /// <summary>The whole inventory by server and tool name, without schemas (the grid does not show them).</summary>
    public async Task<IReadOnlyList<ToolView>> ListAsync(CancellationToken cancellationToken = default) =>
        (await PageAsync(null, int.MaxValue - 1, cancellationToken))!.Items;

    /// <summary>One page of the inventory by server and tool name, after the cursor <c>server/tool</c>; null for a cursor that is not one.</summary>
    public async Task<Page<ToolView>?> PageAsync(string? after, int size, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Tools.AsNoTracking();
        if (after is not null)
        {
            if (after.Split('/', 2) is not [{ Length: > 0 } server, { Length: > 0 } name])
            {
                return null;
            }

            query = query.Where(t => string.Compare(t.Server!.Name, server) > 0 || (t.Server!.Name == server && string.Compare(t.Name, name) > 0));
        }

        var tools = await query.OrderBy(t => t.Server!.Name).ThenBy(t => t.Name).Select(View).Take(size + 1).ToListAsync(cancellationToken);
        return Page<ToolView>.Of(tools, size, t => $"{t.Server}/{t.Name}");
    }

    public async Task<ToolDetail?> DetailAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Tools.AsNoTracking().Include(t => t.Server).SingleOrDefaultAsync(t => t.Id == id, cancellationToken) is not { } tool)
        {
            return null;
        }

        var history = (await db.ToolDefinitions.AsNoTracking().Where(d => d.ToolId == id).OrderBy(d => d.Id).ToListAsync(cancellationToken))
            .Select(d => new DefinitionVersion(d.Fingerprint, d.FirstSeenAtUtc, d.Definition)).ToList();
        var current = history.LastOrDefault(h => h.Fingerprint == tool.Fingerprint) ?? new DefinitionVersion(tool.Fingerprint, tool.LastSeenAtUtc, "");
        var approved = tool.ApprovedFingerprint is null ? null : history.LastOrDefault(h => h.Fingerprint == tool.ApprovedFingerprint);
        var conditional = await db.Grants.AsNoTracking().Where(g => g.Server == tool.Server!.Name && g.Tool == tool.Name && g.When != null).ToListAsync(cancellationToken);
        return new ToolDetail(ToolView.Of(tool, tool.Server!.Name), tool.InputSchema, tool.OutputSchema, tool.Annotations, history, approved, current, Unservable(tool),
            UnfitConditions(tool, conditional));
    }

    // The grants on the tool whose condition no longer type-checks against its current input schema: once the definition
    // is approved they cannot be evaluated, so they deny. Checked by the same check as when a grant is written.
    private static List<string> UnfitConditions(RegisteredTool tool, List<Grant> grants) =>
    [
        .. grants.SelectMany(g => GrantConditions.Check(g.When, g.Server, g.Tool, GrantConditions.Targets([tool], g.Tool), "when")
            .Select(p => $"{g.Describe()}: {p.Message}")),
    ];

    // Why agents cannot be served this tool: its stored definition does not fit MCP's model, or the last discovery refused
    // what the server lists under its name now (the tool is then no longer in the inventory's current listing).
    private static string? Unservable(RegisteredTool tool)
    {
        if (ToolModel.From(tool, out var problem) is null)
        {
            return $"Shield cannot serve this definition to agents: {problem}.";
        }

        var prefix = tool.Name + ": ";
        return tool.Server!.LastDiscoveryRejections.FirstOrDefault(r => r.StartsWith(prefix, StringComparison.Ordinal)) is { } rejection
            ? $"The server's last discovery listed this tool with a definition Shield refused: {rejection[prefix.Length..]}"
            : null;
    }

    public Task<Result<ToolView>> ApproveAsync(Guid id, string reviewedFingerprint, Actor actor, CancellationToken cancellationToken = default) =>
        DecideAsync(id, actor, ChangeActions.Approved, tool =>
        {
            if (tool.State == ToolState.Removed)
            {
                return Refusal.Conflict($"{tool.Name} is no longer offered by its server and cannot be approved.");
            }

            if (tool.Fingerprint != reviewedFingerprint)
            {
                return Refusal.Conflict($"{tool.Name} changed on its server since you reviewed it. Review the new definition, then approve again.");
            }

            if (ToolModel.From(tool, out var problem) is null)
            {
                return Refusal.Conflict($"{tool.Name} cannot be approved: Shield cannot serve its definition to agents ({problem}).");
            }

            tool.State = ToolState.Approved;
            tool.ApprovedFingerprint = tool.Fingerprint;
            return null;
        }, cancellationToken);

    public Task<Result<ToolView>> BlockAsync(Guid id, Actor actor, CancellationToken cancellationToken = default) =>
        DecideAsync(id, actor, ChangeActions.Blocked, tool =>
        {
            tool.State = tool.State == ToolState.Removed ? ToolState.Removed : ToolState.Blocked;
            tool.ApprovedFingerprint = null;
            return null;
        }, cancellationToken);

    public Task<Result<ToolView>> SetRiskAsync(Guid id, RiskLevel risk, Actor actor, CancellationToken cancellationToken = default) =>
        DecideAsync(id, actor, ChangeActions.RiskChanged, tool =>
        {
            tool.Risk = risk;
            return null;
        }, cancellationToken);

    /// <summary>
    /// Approves each tool at the fingerprint reviewed; tools that changed or were removed meanwhile are skipped. Each
    /// approval is recorded as a single one is (the tool's own history), and the whole act once more: which tools
    /// were approved together, and which were skipped and why, which no single record says.
    /// </summary>
    public async Task<BulkApproval> ApproveManyAsync(IReadOnlyList<(Guid Id, string Fingerprint)> reviewed, Actor actor, CancellationToken cancellationToken = default)
    {
        List<string> approved = [];
        List<(Guid Id, string Reason)> skipped = [];
        foreach (var (id, fingerprint) in reviewed)
        {
            var result = await ApproveAsync(id, fingerprint, actor, cancellationToken);
            if (result.Value is { } tool)
            {
                approved.Add(QualifiedToolName.Of(tool.Server, tool.Name));
            }
            else
            {
                skipped.Add((id, result.Refusal!.Message));
            }
        }

        if (reviewed.Count > 0)
        {
            await RecordBulkAsync(approved, skipped, actor, cancellationToken);
        }

        return new BulkApproval(approved, [.. skipped.Select(s => new RejectedTool(s.Id.ToString(), s.Reason))]);
    }

    private async Task RecordBulkAsync(List<string> approved, List<(Guid Id, string Reason)> skipped, Actor actor, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var ids = skipped.Select(s => s.Id).ToList();
        var names = await db.Tools.AsNoTracking().Where(t => ids.Contains(t.Id)).Select(t => new { t.Id, Server = t.Server!.Name, t.Name })
            .ToDictionaryAsync(t => t.Id, t => QualifiedToolName.Of(t.Server, t.Name), cancellationToken);
        var skippedNamed = skipped.Select(s => new { tool = names.GetValueOrDefault(s.Id, s.Id.ToString()), reason = s.Reason }).ToList();
        var servers = approved.Concat(names.Values).Select(t => QualifiedToolName.TryParse(t, out var server, out _) ? server : t).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, time.GetUtcNow().UtcDateTime, "tools", string.Join(", ", servers).Clip(256), ChangeActions.Approved,
            after: JsonSerializer.Serialize(new { approved, skipped = skippedNamed })));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<Result<ToolView>> DecideAsync(Guid id, Actor actor, string action, Func<RegisteredTool, Refusal?> decide, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Tools.Include(t => t.Server).SingleOrDefaultAsync(t => t.Id == id, cancellationToken) is not { } tool)
        {
            return Refusal.NotFound("There is no tool with that id.");
        }

        var before = ToolSnapshot.Of(tool);
        if (decide(tool) is { } refusal)
        {
            return refusal;
        }

        var now = time.GetUtcNow().UtcDateTime;
        tool.ReviewedAtUtc = now;
        tool.ReviewedBy = actor.Name;
        db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "tool", QualifiedToolName.Of(tool.Server!.Name, tool.Name), action, before, ToolSnapshot.Of(tool)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Refusal.Conflict($"{tool.Name} changed while you were deciding (a discovery or another administrator). Reload it and decide again.");
        }

        await policy.RefreshAsync(CancellationToken.None);
        return Result<ToolView>.Ok(ToolView.Of(tool, tool.Server.Name));
    }
}
