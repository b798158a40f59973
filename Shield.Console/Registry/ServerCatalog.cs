using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Api;
using Shield.Console.Common;
using Shield.Console.Policy;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>
/// Registers, changes, enables, disables and deletes upstream servers. Secrets entered here are encrypted at once and
/// never returned; every change is recorded with who made it.
/// </summary>
public sealed class ServerCatalog(IDbContextFactory<ShieldDbContext> contexts, ISecretProtector secrets, PolicyRefresh policy, TimeProvider time)
{
    /// <summary>Every registered server by name.</summary>
    public async Task<IReadOnlyList<ServerView>> ListAsync(CancellationToken cancellationToken = default) =>
        (await PageAsync(null, int.MaxValue - 1, cancellationToken)).Items;

    /// <summary>One page of the registered servers by name, after the server named <paramref name="after"/>.</summary>
    public async Task<Page<ServerView>> PageAsync(string? after, int size, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Servers.AsNoTracking();
        query = after is null ? query : query.Where(s => string.Compare(s.Name, after) > 0);
        var servers = await query.OrderBy(s => s.Name).Take(size + 1).ToListAsync(cancellationToken);
        var ids = servers.Select(s => s.Id).ToList();
        var states = (await db.Tools.AsNoTracking().Where(t => ids.Contains(t.ServerId)).Select(t => new { t.ServerId, t.State }).ToListAsync(cancellationToken))
            .ToLookup(t => t.ServerId, t => t.State);
        return Page<ServerView>.Of([.. servers.Select(s => ServerView.Of(s, states[s.Id]))], size, s => s.Name);
    }

    public async Task<ServerView?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var server = await db.Servers.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, cancellationToken);
        return server is null ? null : ServerView.Of(server, await db.Tools.Where(t => t.ServerId == server.Id).Select(t => t.State).ToListAsync(cancellationToken));
    }

    public async Task<Result<ServerView>> CreateAsync(ServerInput input, Actor actor, CancellationToken cancellationToken = default)
    {
        if (Invalid(input, existing: null) is { } invalid)
        {
            return invalid;
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Servers.AnyAsync(s => s.Name == input.Name, cancellationToken))
        {
            return Refusal.Conflict($"A server named {input.Name} is already registered.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var server = new RegisteredServer { Name = input.Name!, CreatedAtUtc = now, CreatedBy = actor.Name };
        Apply(server, input, now, actor, secrets);
        db.Servers.Add(server);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "server", server.Name, ChangeActions.Created, after: Snapshot(server)));
        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        return Result<ServerView>.Ok(ServerView.Of(server, []));
    }

    /// <remarks>The name cannot change: it prefixes the server's tool names wherever they are granted.</remarks>
    public async Task<Result<ServerView>> UpdateAsync(string name, ServerInput input, Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Servers.SingleOrDefaultAsync(s => s.Name == name, cancellationToken) is not { } server)
        {
            return NotFound(name);
        }

        if (input.Name != name)
        {
            return Refusal.Invalid("name", "A server's name cannot change: it prefixes its tools' names in grants and sessions. Register a new server instead.");
        }

        if (Invalid(input, server) is { } invalid)
        {
            return invalid;
        }

        var before = Snapshot(server);
        var now = time.GetUtcNow().UtcDateTime;
        Apply(server, input, now, actor, secrets);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "server", server.Name, ChangeActions.Updated, before, Snapshot(server)));
        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        return Result<ServerView>.Ok(ServerView.Of(server, await db.Tools.Where(t => t.ServerId == server.Id).Select(t => t.State).ToListAsync(cancellationToken)));
    }

    public async Task<Result<ServerView>> SetEnabledAsync(string name, bool enabled, Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Servers.SingleOrDefaultAsync(s => s.Name == name, cancellationToken) is not { } server)
        {
            return NotFound(name);
        }

        if (server.Enabled != enabled)
        {
            var before = Snapshot(server);
            var now = time.GetUtcNow().UtcDateTime;
            server.Enabled = enabled;
            server.UpdatedAtUtc = now;
            server.UpdatedBy = actor.Name;
            db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "server", server.Name, enabled ? ChangeActions.Enabled : ChangeActions.Disabled, before, Snapshot(server)));
            await db.SaveChangesAsync(cancellationToken);
            await policy.RefreshAsync(CancellationToken.None);
        }

        return Result<ServerView>.Ok(ServerView.Of(server, await db.Tools.Where(t => t.ServerId == server.Id).Select(t => t.State).ToListAsync(cancellationToken)));
    }

    /// <summary>Deletes a server and its whole inventory, leaving the record of who did it.</summary>
    public async Task<Refusal?> DeleteAsync(string name, Actor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Servers.SingleOrDefaultAsync(s => s.Name == name, cancellationToken) is not { } server)
        {
            return NotFound(name).Refusal;
        }

        var tools = await db.Tools.CountAsync(t => t.ServerId == server.Id, cancellationToken);
        // Decisions declared for its tools go too: a new server under the same name must not inherit approvals.
        var decisions = await db.ToolDecisions.Where(d => d.ServerName == server.Name).ToListAsync(cancellationToken);
        db.ToolDecisions.RemoveRange(decisions);
        // Grants on its tools go too, each recorded: a new server under the same name must not inherit access.
        var grants = await db.Grants.Where(g => g.Server == server.Name).ToListAsync(cancellationToken);
        db.Grants.RemoveRange(grants);
        db.GovernanceChanges.AddRange(grants.Select(g => GovernanceChange.By(actor, time.GetUtcNow().UtcDateTime, "grant", g.Describe(), ChangeActions.Deleted)));
        db.Servers.Remove(server);
        db.GovernanceChanges.Add(GovernanceChange.By(actor, time.GetUtcNow().UtcDateTime, "server", server.Name, ChangeActions.Deleted,
            Snapshot(server), JsonSerializer.Serialize(new { toolsRemoved = tools, decisionsRemoved = decisions.Count, grantsRemoved = grants.Count })));
        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        return null;
    }

    private static Refusal? Invalid(ServerInput input, RegisteredServer? existing)
    {
        var problems = Problems(input, existing);
        return problems.Count == 0
            ? null
            : new Refusal(RefusalKind.Invalid, string.Join(" ", problems.Values.SelectMany(m => m)), problems);
    }

    /// <summary>Every problem with <paramref name="input"/> by field, given the server it would change (if any).</summary>
    internal static Dictionary<string, string[]> Problems(ServerInput input, RegisteredServer? existing)
    {
        var problems = ServerInputCheck.Problems(input);
        MissingSecrets(input.Headers, existing?.Headers, "headers", problems);
        MissingSecrets(input.Environment, existing?.Environment, "environment", problems);
        return problems;
    }

    // A setting left empty keeps its stored secret; a new setting needs a value.
    private static void MissingSecrets(IReadOnlyList<SettingInput>? given, List<SecretSetting>? stored, string field, Dictionary<string, string[]> problems)
    {
        var missing = (given ?? []).Where(s => string.IsNullOrEmpty(s.Value) && stored?.Any(k => k.Name == s.Name) != true).Select(s => $"'{s.Name}' needs a value.").ToArray();
        if (missing.Length > 0)
        {
            problems[field] = [.. problems.GetValueOrDefault(field, []), .. missing];
        }
    }

    /// <summary>Writes a checked <see cref="ServerInput"/> onto a server; new secrets are encrypted, empty ones keep the stored secret.</summary>
    internal static void Apply(RegisteredServer server, ServerInput input, DateTime now, Actor actor, ISecretProtector secrets)
    {
        server.DisplayName = string.IsNullOrWhiteSpace(input.DisplayName) ? input.Name! : input.DisplayName.Trim();
        server.Description = input.Description?.Trim() ?? "";
        server.Owner = input.Owner?.Trim() ?? "";
        server.Enabled = input.Enabled;
        server.ShareSessions = input.ShareSessions;
        server.Transport = input.Transport;
        var http = input.Transport == ServerTransport.Http;
        server.Url = http ? input.Url!.Trim() : null;
        server.Command = http ? null : input.Command!.Trim();
        server.Arguments = http ? [] : [.. input.Arguments ?? []];
        server.Headers = http ? Merge(input.Headers, server.Headers, secrets) : [];
        server.Environment = http ? [] : Merge(input.Environment, server.Environment, secrets);
        server.UpdatedAtUtc = now;
        server.UpdatedBy = actor.Name;
    }

    private static List<SecretSetting> Merge(IReadOnlyList<SettingInput>? given, List<SecretSetting> stored, ISecretProtector secrets) =>
        [.. (given ?? []).Select(s => string.IsNullOrEmpty(s.Value)
            ? stored.Single(k => k.Name == s.Name)
            : SecretSetting.From(s.Name, s.Value, secrets))];

    private static Result<ServerView> NotFound(string name) => Refusal.NotFound($"No server named {name} is registered.");

    /// <summary>The server as recorded in the change history: no secret, only whether one is set.</summary>
    internal static string Snapshot(RegisteredServer server) => JsonSerializer.Serialize(new
    {
        server.Name,
        server.DisplayName,
        server.Description,
        server.Owner,
        server.Enabled,
        server.ShareSessions,
        Transport = server.Transport.ToString(),
        server.Url,
        server.Command,
        server.Arguments,
        Headers = server.Headers.Select(SettingView.Of),
        Environment = server.Environment.Select(SettingView.Of),
    });
}
