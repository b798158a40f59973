using Microsoft.EntityFrameworkCore;
using Shield.Console.Registry;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Registry;

namespace Shield.Console.Governance;

/// <summary>What an import did, or every reason it did nothing.</summary>
public sealed record ImportResult(
    bool Applied,
    IReadOnlyList<GovernanceError> Errors,
    IReadOnlyList<string> ServersCreated,
    IReadOnlyList<string> ServersUpdated,
    IReadOnlyList<string> ToolsDecided,
    int DecisionsDeclared)
{
    public static ImportResult Invalid(IReadOnlyList<GovernanceError> errors) => new(false, errors, [], [], [], 0);
}

/// <summary>
/// Applies a governance document: checks all of it first and reports every error at once; then, in one transaction,
/// adds or updates the servers it lists and declares its tool decisions, applying them at once to tools already
/// discovered. It never deletes: servers missing from the document stay (delete them in the console).
/// A secret entered in the console, which exports leave out, is kept unless the document names that setting.
/// </summary>
public sealed class GovernanceImporter(IDbContextFactory<ShieldDbContext> contexts, ISecretProtector secrets, DiscoveryQueue discoveries, TimeProvider time)
{
    public async Task<ImportResult> ImportAsync(string json, Actor actor, CancellationToken cancellationToken = default)
    {
        var (document, errors) = GovernanceReader.Read(json);
        if (document is null || errors.Count > 0)
        {
            return ImportResult.Invalid(errors);
        }

        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.Include(s => s.Tools).ToDictionaryAsync(s => s.Name, StringComparer.Ordinal, cancellationToken);
        var tools = document.Tools ?? [];
        for (var i = 0; i < tools.Count; i++)
        {
            if (!servers.ContainsKey(tools[i].Server!) && document.Servers?.Any(s => s.Name == tools[i].Server) != true)
            {
                errors.Add(new($"$.tools[{i}].server", $"No server named {tools[i].Server} is in the document or registered."));
            }
        }

        if (errors.Count > 0)
        {
            return ImportResult.Invalid(errors);
        }

        var now = time.GetUtcNow().UtcDateTime;
        List<string> created = [];
        List<string> updated = [];
        foreach (var entry in document.Servers ?? [])
        {
            var existing = servers.GetValueOrDefault(entry.Name!);
            var server = existing ?? new RegisteredServer { Name = entry.Name!, CreatedAtUtc = now, CreatedBy = actor.Name };
            var before = existing is null ? null : ServerCatalog.Snapshot(existing);
            ServerCatalog.Apply(server, KeepConsoleSecrets(GovernanceReader.ToInput(entry), existing), now, actor, secrets);
            var after = ServerCatalog.Snapshot(server);
            if (existing is null)
            {
                db.Servers.Add(server);
                servers[server.Name] = server;
                created.Add(server.Name);
            }
            else if (before != after)
            {
                updated.Add(server.Name);
            }

            if (before != after)
            {
                db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "server", server.Name, existing is null ? "created" : "updated", before, after));
            }
        }

        var declared = await db.ToolDecisions.ToDictionaryAsync(d => (d.ServerName, d.ToolName), cancellationToken);
        List<string> decided = [];
        foreach (var entry in tools)
        {
            var decision = declared.GetValueOrDefault((entry.Server!, entry.Name!));
            if (decision is null)
            {
                decision = new ToolDecision { ServerName = entry.Server!, ToolName = entry.Name! };
                db.ToolDecisions.Add(decision);
            }

            decision.State = GovernanceReader.State(entry.State)!.Value;
            decision.Risk = GovernanceReader.Risk(entry.Risk);
            decision.Fingerprint = entry.Fingerprint;
            decision.DeclaredAtUtc = now;
            decision.DeclaredBy = actor.Name;
            if (servers[entry.Server!].Tools.SingleOrDefault(t => t.Name == entry.Name) is { } tool)
            {
                var before = ToolSnapshot.Of(tool);
                var action = decision.Apply(tool, now);
                if (ToolSnapshot.Of(tool) != before)
                {
                    decided.Add($"{entry.Server}/{entry.Name}");
                    db.GovernanceChanges.Add(GovernanceChange.By(actor, now, "tool", $"{entry.Server}/{entry.Name}", action, before, ToolSnapshot.Of(tool)));
                }
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        discoveries.Enqueue([.. created, .. updated]);
        return new ImportResult(true, [], created, updated, decided, tools.Count);
    }

    private static ServerInput KeepConsoleSecrets(ServerInput input, RegisteredServer? existing) => existing is null ? input : input with
    {
        Headers = [.. input.Headers ?? [], .. Kept(existing.Headers, input.Headers)],
        Environment = [.. input.Environment ?? [], .. Kept(existing.Environment, input.Environment)],
    };

    // A stored secret the document does not mention is passed on as "keep" (an empty value).
    private static IEnumerable<SettingInput> Kept(List<SecretSetting> stored, IReadOnlyList<SettingInput>? given) =>
        stored.Where(s => s.ProtectedValue is not null && given?.Any(g => g.Name == s.Name) != true).Select(s => new SettingInput(s.Name, ""));
}
