using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Agents;
using Shield.Console.Redaction;
using Shield.Console.Registry;
using Shield.Core.Accounts;
using Shield.Core.Agents;
using Shield.Core.Governance;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Governance;

/// <summary>What an import did, or every reason it did nothing.</summary>
public sealed record ImportResult(
    bool Applied,
    IReadOnlyList<GovernanceError> Errors,
    IReadOnlyList<string> ServersCreated,
    IReadOnlyList<string> ServersUpdated,
    IReadOnlyList<string> ToolsDecided,
    int DecisionsDeclared,
    HistoryPreview? Preview = null)
{
    /// <summary>Whether this was a dry run: nothing applied, <see cref="Preview"/> says what the grants would have changed.</summary>
    public bool DryRun => Preview is not null;

    public static ImportResult Invalid(IReadOnlyList<GovernanceError> errors) => new(false, errors, [], [], [], 0);

    public static ImportResult Previewed(HistoryPreview preview) => new(false, [], [], [], [], 0, preview);
}

/// <summary>
/// Applies a governance document: checks all of it first and reports every error at once; then, in one transaction,
/// adds or updates the servers it lists and declares its tool decisions, applying them at once to tools already
/// discovered (never loosening a later decision: see <see cref="ToolDecision.Apply"/>). Servers missing from the
/// document stay (delete them in the console); a <c>grants</c> or <c>redaction</c> section, when present, is the whole
/// set and replaces what is stored. A secret entered in the console, which exports leave out, is kept unless the
/// document names that setting; a server whose entry omits "enabled" keeps its state.
/// </summary>
public sealed class GovernanceImporter(
    IDbContextFactory<ShieldDbContext> contexts, ISecretProtector secrets, DiscoveryQueue discoveries, Shield.Console.Policy.PolicyRefresh policy,
    Shield.Console.Policy.TrailPreview preview, TimeProvider time)
{
    /// <param name="previewDays">
    /// For a dry run: check the document and preview its grants against the trail of the last so many days
    /// (<see cref="Shield.Console.Policy.TrailPreview"/>), and apply nothing. Null to apply it.
    /// </param>
    public async Task<ImportResult> ImportAsync(string json, Actor actor, CancellationToken cancellationToken = default, int? previewDays = null)
    {
        var (document, errors) = GovernanceReader.Read(json);
        if (document is null)
        {
            return ImportResult.Invalid(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.Include(s => s.Tools).ToDictionaryAsync(s => s.Name, StringComparer.Ordinal, cancellationToken);
        var tools = document.Tools ?? [];
        for (var i = 0; i < tools.Count; i++)
        {
            if (tools[i].Server is { } name && !servers.ContainsKey(name) && document.Servers?.Any(s => s.Name == name) != true)
            {
                errors.Add(new($"$.tools[{i}].server", $"No server named {name} is in the document or registered."));
            }
        }

        var agents = await db.Agents.ToDictionaryAsync(a => a.Name, StringComparer.Ordinal, cancellationToken);
        CheckGrantReferences(document, servers, agents, errors);
        CheckAgentIdentities(document.Agents ?? [], agents, errors);
        if (errors.Count > 0)
        {
            return ImportResult.Invalid([.. errors.OrderBy(e => e.Path, StringComparer.Ordinal)]);
        }

        if (previewDays is { } days)
        {
            // Nothing is saved: the context is dropped unsaved, and the preview only reads.
            return ImportResult.Previewed(await preview.PreviewAsync(grants => GrantsAfter(document, grants), days, cancellationToken));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var (created, updated) = ApplyServers(db, document.Servers ?? [], servers, actor, now);
        var decided = await DeclareAsync(db, tools, servers, actor, now, cancellationToken);
        ApplyAgents(db, document.Agents ?? [], agents, actor, now);
        if (document.Grants is not null)
        {
            await ReplaceGrantsAsync(db, document, actor, now, cancellationToken);
        }

        if (document.Redaction is { } redaction)
        {
            await RedactionBook.ReplaceAsync(db, GovernanceReader.Rules(redaction), actor, now, cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        await policy.RefreshAsync(CancellationToken.None);
        discoveries.Enqueue([.. created, .. updated]);
        return new ImportResult(true, [], created, updated, decided, tools.Count);
    }

    private (List<string> Created, List<string> Updated) ApplyServers(
        ShieldDbContext db, List<ServerEntry> entries, Dictionary<string, RegisteredServer> servers, Actor actor, DateTime now)
    {
        List<string> created = [];
        List<string> updated = [];
        foreach (var entry in entries)
        {
            var existing = servers.GetValueOrDefault(entry.Name!);
            var server = existing ?? new RegisteredServer { Name = entry.Name!, CreatedAtUtc = now, CreatedBy = actor.Name };
            var before = existing is null ? null : ServerCatalog.Snapshot(existing);
            // A document that does not say "enabled" or "shareSessions" leaves a registered server as it is.
            var input = GovernanceReader.ToInput(entry) with
            {
                Enabled = entry.Enabled ?? existing?.Enabled ?? true,
                ShareSessions = entry.ShareSessions ?? existing?.ShareSessions ?? false,
            };
            ServerCatalog.Apply(server, KeepConsoleSecrets(input, existing), now, actor, secrets);
            var after = ServerCatalog.Snapshot(server);
            if (before == after)
            {
                continue;
            }

            if (existing is null)
            {
                db.Servers.Add(server);
                servers[server.Name] = server;
                created.Add(server.Name);
            }
            else
            {
                updated.Add(server.Name);
            }

            db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "server", server.Name, existing is null ? ChangeActions.Created : ChangeActions.Updated, before, after));
        }

        return (created, updated);
    }

    private static async Task<List<string>> DeclareAsync(
        ShieldDbContext db, List<ToolEntry> entries, Dictionary<string, RegisteredServer> servers, Actor actor, DateTime now, CancellationToken cancellationToken)
    {
        var declared = await db.ToolDecisions.ToDictionaryAsync(d => (d.ServerName, d.ToolName), cancellationToken);
        List<string> decided = [];
        foreach (var entry in entries)
        {
            var key = QualifiedToolName.Of(entry.Server!, entry.Name!);
            var decision = declared.GetValueOrDefault((entry.Server!, entry.Name!));
            var before = decision is null ? null : DecisionSnapshot(decision);
            if (decision is null)
            {
                decision = new ToolDecision { ServerName = entry.Server!, ToolName = entry.Name! };
                db.ToolDecisions.Add(decision);
            }

            decision.State = GovernanceReader.State(entry.State)!.Value;
            decision.Risk = GovernanceReader.Risk(entry.Risk);
            decision.Fingerprint = entry.Fingerprint;
            if (DecisionSnapshot(decision) != before)
            {
                (decision.DeclaredAtUtc, decision.DeclaredBy, decision.DeclaredByKind, decision.DeclaredById) = (now, actor.Name, actor.Kind, actor.Id);
                db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "tool-decision", key, ChangeActions.Declared, before, DecisionSnapshot(decision)));
            }

            if (servers[entry.Server!].Tools.SingleOrDefault(t => t.Name == entry.Name) is { } tool)
            {
                var toolBefore = ToolSnapshot.Of(tool);
                if (decision.Apply(tool, now) is { } action)
                {
                    decided.Add(key);
                    db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "tool", key, action, toolBefore, ToolSnapshot.Of(tool)));
                }
            }
        }

        return decided;
    }

    // Grants must name agents and servers that exist (here or in the document) and tools Shield knows: discovered, or
    // declared in the document's tools.
    private static void CheckGrantReferences(
        GovernanceDocument document, Dictionary<string, RegisteredServer> servers, Dictionary<string, Agent> agents, List<GovernanceError> errors)
    {
        var grants = document.Grants ?? [];
        for (var i = 0; i < grants.Count; i++)
        {
            var grant = grants[i];
            if (GovernanceReader.Subject(grant.Subject) is { Kind: SubjectKind.Agent } subject
                && !agents.ContainsKey(subject.Name) && document.Agents?.Any(a => a.Name == subject.Name) != true)
            {
                errors.Add(new($"$.grants[{i}].subject", $"No agent named {subject.Name} is in the document or registered."));
            }

            if (grant.Server is not { } server || (!servers.ContainsKey(server) && document.Servers?.Any(s => s.Name == server) != true))
            {
                errors.Add(new($"$.grants[{i}].server", $"No server named {grant.Server} is in the document or registered."));
                continue;
            }

            var known = grant.Tool == Grant.AllTools
                || servers.GetValueOrDefault(server)?.Tools.Any(t => t.Name == grant.Tool && t.State != ToolState.Removed) == true
                || document.Tools?.Any(t => t.Server == server && t.Name == grant.Tool) == true;
            if (!known)
            {
                errors.Add(new($"$.grants[{i}].tool", $"{server} offers no tool named {grant.Tool} (discovered or declared in \"tools\")."));
                continue;
            }

            var targets = GrantConditions.Targets(servers.GetValueOrDefault(server)?.Tools ?? [], grant.Tool!);
            errors.AddRange(GrantConditions.Check(grant.When, server, grant.Tool!, targets, $"$.grants[{i}].when").Select(p => new GovernanceError(p.Path, p.Message)));
        }
    }

    // After the import no two agents may share a key or an Entra application: an identity must name exactly one agent.
    private static void CheckAgentIdentities(List<AgentEntry> entries, Dictionary<string, Agent> agents, List<GovernanceError> errors)
    {
        var named = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        Check("keySha256", "key", e => e.KeySha256, a => a.KeySha256);
        Check("entraClientId", "Entra application", e => e.EntraClientId?.Trim().ToLowerInvariant(), a => a.EntraClientId);

        void Check(string field, string what, Func<AgentEntry, string?> given, Func<Agent, string?> stored)
        {
            // Agents the document leaves alone keep what they have; agents it names keep theirs unless it gives a new one.
            Dictionary<string, string> owners = new(StringComparer.Ordinal);
            foreach (var agent in agents.Values.Where(a => !named.Contains(a.Name)))
            {
                if (stored(agent) is { Length: > 0 } value)
                {
                    owners[value] = agent.Name;
                }
            }

            for (var i = 0; i < entries.Count; i++)
            {
                var value = given(entries[i]) ?? (agents.TryGetValue(entries[i].Name ?? "", out var existing) ? stored(existing) : null);
                if (value is not { Length: > 0 })
                {
                    continue;
                }

                if (owners.TryGetValue(value, out var owner))
                {
                    errors.Add(new($"$.agents[{i}].{field}", $"The same {what} already belongs to agent {owner}; each agent needs its own."));
                    continue;
                }

                owners[value] = entries[i].Name ?? "";
            }
        }
    }

    private static void ApplyAgents(ShieldDbContext db, List<AgentEntry> entries, Dictionary<string, Agent> agents, Actor actor, DateTime now)
    {
        foreach (var entry in entries)
        {
            var existing = agents.GetValueOrDefault(entry.Name!);
            var agent = existing ?? new Agent { Name = entry.Name!, CreatedAtUtc = now, CreatedBy = actor.Name };
            var before = existing is null ? null : AgentDirectory.Snapshot(agent);
            var keyBefore = agent.KeySha256;
            agent.Description = entry.Description ?? agent.Description;
            agent.Owner = entry.Owner is { } owner ? Person.Normalize(owner) : agent.Owner;
            agent.Roles = entry.Roles is { } roles ? [.. roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)] : agent.Roles;
            agent.Enabled = entry.Enabled ?? agent.Enabled;
            agent.EntraClientId = entry.EntraClientId?.Trim().ToLowerInvariant() ?? agent.EntraClientId;
            if (entry.KeySha256 is { } hash && hash != agent.KeySha256)
            {
                agent.KeySha256 = hash;
                agent.KeyIssuedAtUtc = now;
            }

            var after = AgentDirectory.Snapshot(agent);
            if (before == after && keyBefore == agent.KeySha256)
            {
                continue;
            }

            agent.UpdatedAtUtc = now;
            agent.UpdatedBy = actor.Name;
            if (existing is null)
            {
                db.Agents.Add(agent);
            }

            db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "agent", agent.Name, existing is null ? ChangeActions.Created : ChangeActions.Updated, before, after));
        }
    }

    // A grants section is the whole list: grants not in it are removed (of a log-only document, the log-only grants not
    // in it). Removing a deny can widen access, so every removal is recorded as its own change.
    private static async Task ReplaceGrantsAsync(ShieldDbContext db, GovernanceDocument document, Actor actor, DateTime now, CancellationToken cancellationToken)
    {
        var logOnly = GovernanceReader.IsLogOnly(document);
        var existing = await db.Grants.Where(g => !logOnly || g.Mode == GrantMode.LogOnly).ToListAsync(cancellationToken);
        var wanted = Wanted(document);
        foreach (var grant in existing)
        {
            var match = wanted.FindIndex(w => w.SubjectKind == grant.SubjectKind && w.Subject == grant.Subject && w.Server == grant.Server && w.Tool == grant.Tool
                && w.Mode == grant.Mode);
            if (match >= 0 && wanted[match].Effect == grant.Effect && wanted[match].When == grant.When)
            {
                wanted.RemoveAt(match);
                continue;
            }

            db.Grants.Remove(grant);
            db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "grant", grant.Describe(), ChangeActions.Deleted));
        }

        foreach (var grant in wanted)
        {
            (grant.CreatedAtUtc, grant.CreatedBy) = (now, actor.Name);
            db.Grants.Add(grant);
            db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "grant", grant.Describe(), ChangeActions.Created));
        }
    }

    /// <summary>The grants as importing <paramref name="document"/> would leave them, given the grants as they are.</summary>
    internal static IReadOnlyList<Grant> GrantsAfter(GovernanceDocument document, IReadOnlyList<Grant> existing) => document.Grants is null
        ? existing
        : [.. GovernanceReader.IsLogOnly(document) ? existing.Where(g => g.Mode == GrantMode.Enforce) : [], .. Wanted(document)];

    private static List<Grant> Wanted(GovernanceDocument document) => [.. (document.Grants ?? []).Select(e => new Grant
    {
        SubjectKind = GovernanceReader.Subject(e.Subject)!.Value.Kind,
        Subject = GovernanceReader.Subject(e.Subject)!.Value.Name,
        Server = e.Server!,
        Tool = e.Tool!,
        Effect = GovernanceReader.Effect(e.Effect)!.Value,
        When = e.When,
        Mode = GovernanceReader.Mode(document, e),
    })];

    private static string DecisionSnapshot(ToolDecision decision) => JsonSerializer.Serialize(new
    {
        state = decision.State.ToString(),
        risk = decision.Risk?.ToString(),
        fingerprint = decision.Fingerprint,
    });

    private static ServerInput KeepConsoleSecrets(ServerInput input, RegisteredServer? existing) => existing is null ? input : input with
    {
        Headers = [.. input.Headers ?? [], .. Kept(existing.Headers, input.Headers)],
        Environment = [.. input.Environment ?? [], .. Kept(existing.Environment, input.Environment)],
    };

    // A stored secret the document does not mention is passed on as "keep" (an empty value).
    private static IEnumerable<SettingInput> Kept(List<SecretSetting> stored, IReadOnlyList<SettingInput>? given) =>
        stored.Where(s => s.ProtectedValue is not null && given?.Any(g => g.Name == s.Name) != true).Select(s => new SettingInput(s.Name, ""));
}
