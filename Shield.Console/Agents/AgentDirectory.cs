using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Common;
using Shield.Console.Policy;
using Shield.Core.Accounts;
using Shield.Core.Agents;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Registry;

namespace Shield.Console.Agents;

/// <summary>
/// Registers agents and issues, rotates and revokes their keys. A key is 256 random bits shown once and stored only as
/// its SHA-256; rotating it ends the old key at once. Every change is recorded and reaches the policy immediately.
/// </summary>
public sealed class AgentDirectory(IDbContextFactory<ShieldDbContext> contexts, PolicyRefresh policy, Shield.Console.Sessions.SessionIssuer sessions, TimeProvider time)
{
    public async Task<IReadOnlyList<AgentView>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return [.. (await db.Agents.AsNoTracking().OrderBy(a => a.Name).ToListAsync(cancellationToken)).Select(AgentView.Of)];
    }

    public async Task<Result<AgentWithKey>> CreateAsync(AgentInput input, Actor actor, CancellationToken cancellationToken = default)
    {
        if (Problems(input) is { Count: > 0 } problems)
        {
            return new Refusal(RefusalKind.Invalid, string.Join(" ", problems.Values.SelectMany(m => m)), problems);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Agents.AnyAsync(a => a.Name == input.Name, cancellationToken))
        {
            return Refusal.Conflict($"An agent named {input.Name} is already registered.");
        }

        if (await ClientIdTakenAsync(db, input.EntraClientId, null, cancellationToken) is { } taken)
        {
            return taken;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var key = SecretToken.New(SecretToken.AgentKeyPrefix);
        var agent = new Agent { Name = input.Name!, CreatedAtUtc = now, CreatedBy = actor.Name, KeySha256 = SecretToken.Hash(key), KeyIssuedAtUtc = now };
        Apply(agent, input, now, actor);
        db.Agents.Add(agent);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "agent", agent.Name, ChangeActions.Created, after: Snapshot(agent)));
        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        return Result<AgentWithKey>.Ok(new AgentWithKey(AgentView.Of(agent), key));
    }

    public Task<Result<AgentView>> UpdateAsync(string name, AgentInput input, Actor actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(name, actor, ChangeActions.Updated, agent =>
        {
            if (input.Name != name)
            {
                return Refusal.Invalid("name", "An agent's name cannot change: grants and sessions refer to it. Register a new agent instead.");
            }

            if (Problems(input) is { Count: > 0 } problems)
            {
                return new Refusal(RefusalKind.Invalid, string.Join(" ", problems.Values.SelectMany(m => m)), problems);
            }

            Apply(agent, input, time.GetUtcNow().UtcDateTime, actor);
            return null;
        }, cancellationToken, (db, agent) => ClientIdTakenAsync(db, input.EntraClientId, agent.Id, cancellationToken));

    public Task<Result<AgentView>> SetEnabledAsync(string name, bool enabled, Actor actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(name, actor, enabled ? ChangeActions.Enabled : ChangeActions.Disabled, agent =>
        {
            agent.Enabled = enabled;
            return null;
        }, cancellationToken);

    /// <summary>Issues a new key; the old one stops working at once.</summary>
    public async Task<Result<AgentWithKey>> RotateKeyAsync(string name, Actor actor, CancellationToken cancellationToken = default)
    {
        var key = SecretToken.New(SecretToken.AgentKeyPrefix);
        var result = await ChangeAsync(name, actor, "key-rotated", agent =>
        {
            agent.KeySha256 = SecretToken.Hash(key);
            agent.KeyIssuedAtUtc = time.GetUtcNow().UtcDateTime;
            return null;
        }, cancellationToken);
        return result.Value is { } agent ? Result<AgentWithKey>.Ok(new AgentWithKey(agent, key)) : result.Refusal!;
    }

    /// <summary>Removes the key without issuing another: the agent can no longer mint sessions.</summary>
    public Task<Result<AgentView>> RevokeKeyAsync(string name, Actor actor, CancellationToken cancellationToken = default) =>
        ChangeAsync(name, actor, "key-revoked", agent =>
        {
            agent.KeySha256 = null;
            agent.KeyIssuedAtUtc = null;
            return null;
        }, cancellationToken);

    private async Task<Result<AgentView>> ChangeAsync(
        string name, Actor actor, string action, Func<Agent, Refusal?> change, CancellationToken cancellationToken,
        Func<ShieldDbContext, Agent, Task<Refusal?>>? check = null)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Agents.SingleOrDefaultAsync(a => a.Name == name, cancellationToken) is not { } agent)
        {
            return Refusal.NotFound($"No agent named {name} is registered.");
        }

        if (check is not null && await check(db, agent) is { } refused)
        {
            return refused;
        }

        var before = Snapshot(agent);
        if (change(agent) is { } refusal)
        {
            return refusal;
        }

        var now = time.GetUtcNow().UtcDateTime;
        agent.UpdatedAtUtc = now;
        agent.UpdatedBy = actor.Name;
        db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "agent", agent.Name, action, before, Snapshot(agent)));
        // Disabling an agent, or changing its key, ends its live sessions: they were opened with what is now withdrawn.
        List<string> ended = action is ChangeActions.Disabled or "key-rotated" or "key-revoked"
            ? await sessions.EndAllOfAsync(db, agent.Id, actor, $"agent {action}", cancellationToken)
            : [];
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(ended);
        await policy.RefreshAsync(CancellationToken.None);
        return Result<AgentView>.Ok(AgentView.Of(agent));
    }

    private static async Task<Refusal?> ClientIdTakenAsync(ShieldDbContext db, string? clientId, Guid? self, CancellationToken cancellationToken)
    {
        var normalized = clientId?.Trim().ToLowerInvariant();
        return !string.IsNullOrEmpty(normalized) && await db.Agents.AnyAsync(a => a.EntraClientId == normalized && a.Id != self, cancellationToken)
            ? Refusal.Conflict("That Entra application is already bound to another agent.")
            : null;
    }

    /// <summary>The enabled agent an Entra application is bound to, for a client-credentials token.</summary>
    public async Task<AgentView?> FindByEntraClientAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var normalized = clientId.Trim().ToLowerInvariant();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.EntraClientId == normalized, cancellationToken) is { } agent ? AgentView.Of(agent) : null;
    }

    private static void Apply(Agent agent, AgentInput input, DateTime now, Actor actor)
    {
        agent.Description = input.Description?.Trim() ?? "";
        agent.Owner = Person.Normalize(input.Owner);
        agent.Roles = [.. (input.Roles ?? []).Select(r => r.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        agent.Enabled = input.Enabled;
        agent.EntraClientId = string.IsNullOrWhiteSpace(input.EntraClientId) ? null : input.EntraClientId.Trim().ToLowerInvariant();
        agent.UpdatedAtUtc = now;
        agent.UpdatedBy = actor.Name;
    }

    internal static Dictionary<string, string[]> Problems(AgentInput input)
    {
        Dictionary<string, string[]> problems = [];
        if (ServerName.Problem(input.Name) is { } name)
        {
            problems["name"] = [name.Replace("server", "agent", StringComparison.Ordinal)];
        }

        if (input.Roles?.Select(AgentRoles.Problem).OfType<string>().FirstOrDefault() is { } role)
        {
            problems["roles"] = [role];
        }

        if (!string.IsNullOrWhiteSpace(input.EntraClientId) && !Guid.TryParse(input.EntraClientId, out _))
        {
            problems["entraClientId"] = [$"'{input.EntraClientId}' is not an Entra application (client) id, which is a GUID."];
        }

        if (input.Description?.Length > 2000)
        {
            problems["description"] = ["The description is longer than 2,000 characters."];
        }

        // The owner is a person, so that the own-agent rule can recognise them whatever the spelling.
        if ((input.Owner?.Length > 500 ? "The owner is longer than 500 characters." : Person.Problem(input.Owner)) is { } owner)
        {
            problems["owner"] = [owner];
        }

        return problems;
    }

    /// <summary>The agent as recorded in the change history: the key never, only whether there is one.</summary>
    internal static string Snapshot(Agent agent) => JsonSerializer.Serialize(new
    {
        agent.Name,
        agent.Description,
        agent.Owner,
        agent.Roles,
        agent.Enabled,
        HasKey = agent.KeySha256 is not null,
        agent.EntraClientId,
        agent.KeyIssuedAtUtc,
    });
}
