using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Redaction;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Redaction;
using Shield.Core.Registry;

namespace Shield.Console.Policy;

/// <summary>
/// Rebuilds the policy snapshot and the redactor from the database and swaps them in. Every service that changes tools,
/// servers, agents, grants or redaction rules awaits it after committing (never cancelled by its caller), so the very
/// next decision already sees the change: a revoked grant takes the tool away from live sessions at once, a new
/// redaction key masks the next call's arguments. Rebuilds never run concurrently and always read the latest state;
/// <see cref="GovernanceFollower"/> catches up with anything a refresh missed.
/// </summary>
public sealed class PolicyRefresh(
    IDbContextFactory<ShieldDbContext> contexts, PolicyStore store, RedactorStore redactors, IOptionsMonitor<ApprovalOptions> options)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var tools = await db.Tools.AsNoTracking()
                .Select(t => new PolicyTool(t.Server!.Name, t.Name, t.State, t.State == ToolState.Approved && t.Fingerprint == t.ApprovedFingerprint, t.Risk, t.Server.Enabled))
                .ToListAsync(cancellationToken);
            var agents = await db.Agents.AsNoTracking().Select(a => new PolicyAgent(a.Name, a.Enabled, a.Roles)).ToListAsync(cancellationToken);
            var grants = await db.Grants.AsNoTracking().ToListAsync(cancellationToken);
            var redaction = await RedactionBook.ReadAsync(db, cancellationToken);
            store.Replace(new PolicySnapshot(tools, agents, grants, options.CurrentValue.RiskThreshold));
            // After the policy: stored rules the store refuses (they fail validation) never hold back a change of access.
            redactors.Replace(redaction);
        }
        finally
        {
            _gate.Release();
        }
    }
}
