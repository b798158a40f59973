using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Agents;
using Shield.Console.Common;
using Shield.Console.Policy;
using Shield.Core.Governance;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Grants;

/// <summary>A grant as entered: for an agent or a role, on one tool or <c>*</c> (every tool of the server).</summary>
/// <param name="When">A condition in CEL, or null (or blank) for a grant that always applies.</param>
/// <param name="Mode">Enforced, or only watched (log-only).</param>
public sealed record GrantInput(SubjectKind SubjectKind, string? Subject, string? Server, string? Tool, GrantEffect Effect, string? When = null, GrantMode Mode = GrantMode.Enforce);

/// <summary>A grant as shown.</summary>
public sealed record GrantView(
    Guid Id, SubjectKind SubjectKind, string Subject, string Server, string Tool, GrantEffect Effect, string Description, DateTime CreatedAtUtc, string CreatedBy, string? When = null,
    GrantMode Mode = GrantMode.Enforce)
{
    public static GrantView Of(Grant grant) =>
        new(grant.Id, grant.SubjectKind, grant.Subject, grant.Server, grant.Tool, grant.Effect, grant.Describe(), grant.CreatedAtUtc, grant.CreatedBy, grant.When, grant.Mode);
}

/// <summary>
/// Adds, changes the effect of, and removes grants. A grant must name a registered agent (or a well-formed role), a registered server and a
/// tool it offers (or <c>*</c>), and its condition must pass <see cref="GrantConditions"/>; a subject has at most one enforced and one log-only grant per target.
/// Every change is recorded and reaches the policy at once, live sessions included.
/// </summary>
public sealed class GrantBook(IDbContextFactory<ShieldDbContext> contexts, PolicyRefresh policy, TrailPreview history, TimeProvider time)
{
    public async Task<IReadOnlyList<GrantView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var grants = await db.Grants.AsNoTracking().ToListAsync(cancellationToken);
        return [.. grants.OrderBy(g => g.SubjectKind).ThenBy(g => g.Subject, StringComparer.Ordinal).ThenBy(g => g.Server, StringComparer.Ordinal)
            .ThenBy(g => g.Tool, StringComparer.Ordinal).ThenBy(g => g.Mode).Select(GrantView.Of)];
    }

    public async Task<Result<GrantView>> AddAsync(GrantInput input, Actor actor, CancellationToken cancellationToken = default)
    {
        input = input with { When = string.IsNullOrWhiteSpace(input.When) ? null : input.When.Trim() };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await ProblemAsync(db, input, cancellationToken) is { } problem)
        {
            return problem;
        }

        if (await db.Grants.AnyAsync(g => g.SubjectKind == input.SubjectKind && g.Subject == input.Subject && g.Server == input.Server && g.Tool == input.Tool
            && g.Mode == input.Mode, cancellationToken))
        {
            return Refusal.Conflict(input.Mode == GrantMode.LogOnly
                ? "That subject already has a log-only grant for that target: change or remove it in the list of grants instead."
                : "That subject already has a grant for that target: change its effect in the list of grants instead.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var grant = new Grant
        {
            SubjectKind = input.SubjectKind,
            Subject = input.Subject!,
            Server = input.Server!,
            Tool = input.Tool!,
            Effect = input.Effect,
            When = input.When,
            Mode = input.Mode,
            CreatedAtUtc = now,
            CreatedBy = actor.Name,
        };
        db.Grants.Add(grant);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "grant", grant.Describe(), ChangeActions.Created, after: Snapshot(grant)));
        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        return Result<GrantView>.Ok(GrantView.Of(grant));
    }

    /// <summary>
    /// How the grant, once enforced, would have decided the calls the trail recorded over the last <paramref name="days"/>
    /// (<see cref="TrailPreview"/>), checked as <see cref="AddAsync"/> checks it; nothing is saved.
    /// </summary>
    public async Task<Result<HistoryPreview>> PreviewAsync(GrantInput input, int days, CancellationToken cancellationToken = default)
    {
        input = input with { When = string.IsNullOrWhiteSpace(input.When) ? null : input.When.Trim() };
        if (TrailPreview.DaysProblem(days) is { } tooMany)
        {
            return Refusal.Invalid("days", tooMany);
        }

        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            if (await ProblemAsync(db, input, cancellationToken) is { } problem)
            {
                return problem;
            }
        }

        var grant = new Grant { SubjectKind = input.SubjectKind, Subject = input.Subject!, Server = input.Server!, Tool = input.Tool!, Effect = input.Effect, When = input.When };
        // In place of an enforced grant on the same target, as changing it would be.
        return Result<HistoryPreview>.Ok(await history.PreviewAsync(grants =>
            [.. grants.Where(g => !(g.Mode == GrantMode.Enforce && g.SubjectKind == grant.SubjectKind && g.Subject == grant.Subject && g.Server == grant.Server && g.Tool == grant.Tool)),
                grant], days, cancellationToken));
    }

    /// <summary>
    /// Before a grant's effect is changed in place: how the policy with that change would have decided the calls of the
    /// last <paramref name="days"/> days. Saves nothing.
    /// </summary>
    public async Task<Result<HistoryPreview>> PreviewEffectAsync(Guid id, GrantEffect effect, int days, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(effect))
        {
            return Refusal.Invalid("effect", "The effect is allow, approve or deny.");
        }

        if (TrailPreview.DaysProblem(days) is { } tooMany)
        {
            return Refusal.Invalid("days", tooMany);
        }

        return Result<HistoryPreview>.Ok(await history.PreviewAsync(grants =>
            [.. grants.Select(g => g.Id != id ? g : new Grant
            {
                Id = g.Id, SubjectKind = g.SubjectKind, Subject = g.Subject, Server = g.Server, Tool = g.Tool, Effect = effect, When = g.When, Mode = g.Mode,
                CreatedAtUtc = g.CreatedAtUtc, CreatedBy = g.CreatedBy,
            })], days, cancellationToken));
    }

    /// <summary>Changes what a grant does, in place: recorded with the grant before and after, in force at once.</summary>
    public async Task<Result<GrantView>> ChangeEffectAsync(Guid id, GrantEffect effect, Actor actor, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(effect))
        {
            return Refusal.Invalid("effect", "The effect is allow, approve or deny.");
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Grants.SingleOrDefaultAsync(g => g.Id == id, cancellationToken) is not { } grant)
        {
            return Refusal.NotFound("There is no grant with that id: it may have been removed meanwhile.");
        }

        if (grant.Effect == effect)
        {
            return Result<GrantView>.Ok(GrantView.Of(grant));
        }

        var before = Snapshot(grant);
        grant.Effect = effect;
        db.GovernanceChanges.Add(GovernanceChange.By(actor, time.GetUtcNow().UtcDateTime, "grant", grant.Describe(), ChangeActions.Updated, before, after: Snapshot(grant)));
        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        return Result<GrantView>.Ok(GrantView.Of(grant));
    }

    public async Task<Refusal?> RemoveAsync(Guid id, Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Grants.SingleOrDefaultAsync(g => g.Id == id, cancellationToken) is not { } grant)
        {
            return Refusal.NotFound("There is no grant with that id.");
        }

        db.Grants.Remove(grant);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, time.GetUtcNow().UtcDateTime, "grant", grant.Describe(), ChangeActions.Deleted, Snapshot(grant)));
        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        return null;
    }

    internal static async Task<Refusal?> ProblemAsync(ShieldDbContext db, GrantInput input, CancellationToken cancellationToken)
    {
        if (input.SubjectKind == SubjectKind.Agent && !await db.Agents.AnyAsync(a => a.Name == input.Subject, cancellationToken))
        {
            return Refusal.Invalid("subject", $"No agent named {input.Subject} is registered.");
        }

        if (input.SubjectKind == SubjectKind.Role && AgentRoles.Problem(input.Subject) is { } role)
        {
            return Refusal.Invalid("subject", role);
        }

        if (!await db.Servers.AnyAsync(s => s.Name == input.Server, cancellationToken))
        {
            return Refusal.Invalid("server", $"No server named {input.Server} is registered.");
        }

        if (input.Tool != Grant.AllTools
            && !await db.Tools.AnyAsync(t => t.Server!.Name == input.Server && t.Name == input.Tool && t.State != ToolState.Removed, cancellationToken))
        {
            return Refusal.Invalid("tool", $"{input.Server} offers no tool named {input.Tool}. Grant one of its tools, or * for all of them.");
        }

        if (!Enum.IsDefined(input.Effect))
        {
            return Refusal.Invalid("effect", "The effect is allow, approve or deny.");
        }

        if (!Enum.IsDefined(input.Mode))
        {
            return Refusal.Invalid("mode", $"The mode is {GrantModes.Enforce} or {GrantModes.LogOnly}.");
        }

        var tools = await db.Tools.AsNoTracking().Where(t => t.Server!.Name == input.Server).ToListAsync(cancellationToken);
        var problems = GrantConditions.Check(input.When, input.Server!, input.Tool!, GrantConditions.Targets(tools, input.Tool!), "when");
        return problems.Count > 0 ? Refusal.Invalid("when", [.. problems.Select(p => p.Message)]) : null;
    }

    private static string Snapshot(Grant grant) => JsonSerializer.Serialize(new
    {
        subject = $"{(grant.SubjectKind == SubjectKind.Agent ? "agent" : "role")}:{grant.Subject}",
        grant.Server,
        grant.Tool,
        effect = grant.Effect.ToString().ToLowerInvariant(),
        when = grant.When,
        mode = GrantModes.Name(grant.Mode),
    });
}
