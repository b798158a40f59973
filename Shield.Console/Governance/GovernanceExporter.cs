using Microsoft.EntityFrameworkCore;
using Shield.Console.Redaction;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Core.Registry;

namespace Shield.Console.Governance;

/// <summary>
/// Writes the current configuration as a governance document: servers with their references but never a secret, every
/// tool decision (approved with its pinned fingerprint, blocked, or a risk set on a tool still pending), agents, and
/// the whole sets of grants and redaction rules (empty lists when there are none, so importing the export clears them).
/// </summary>
public sealed class GovernanceExporter(IDbContextFactory<ShieldDbContext> contexts)
{
    public async Task<GovernanceDocument> ExportAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.AsNoTracking().Include(s => s.Tools).ToListAsync(cancellationToken);
        var decided = servers.SelectMany(s => s.Tools.Select(t => Tool(s.Name, t))).OfType<ToolEntry>().ToList();
        // Decisions declared for tools not discovered yet are part of the configuration too.
        var discovered = servers.SelectMany(s => s.Tools.Select(t => (s.Name, t.Name))).ToHashSet();
        var declared = (await db.ToolDecisions.AsNoTracking().ToListAsync(cancellationToken))
            .Where(d => !discovered.Contains((d.ServerName, d.ToolName)))
            .Select(d => new ToolEntry
            {
                Server = d.ServerName,
                Name = d.ToolName,
                State = d.State switch { ToolState.Approved => "approved", ToolState.Blocked => "blocked", _ => "pending" },
                Risk = d.Risk is { } risk ? Risk(risk) : null,
                Fingerprint = d.Fingerprint,
            });
        var agents = await db.Agents.AsNoTracking().ToListAsync(cancellationToken);
        var grants = await db.Grants.AsNoTracking().ToListAsync(cancellationToken);
        var redaction = await RedactionBook.ReadAsync(db, cancellationToken);
        return new GovernanceDocument
        {
            Version = GovernanceReader.SupportedVersion,
            Servers = [.. servers.OrderBy(s => s.Name, StringComparer.Ordinal).Select(Server)],
            Tools = [.. decided.Concat(declared).OrderBy(t => t.Server, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)],
            Agents = [.. agents.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => new AgentEntry
            {
                Name = a.Name,
                Description = string.IsNullOrEmpty(a.Description) ? null : a.Description,
                Owner = string.IsNullOrEmpty(a.Owner) ? null : a.Owner,
                Roles = a.Roles,
                Enabled = a.Enabled,
                KeySha256 = a.KeySha256,
                EntraClientId = a.EntraClientId,
            })],
            Grants = [.. grants.OrderBy(g => g.SubjectKind).ThenBy(g => g.Subject, StringComparer.Ordinal).ThenBy(g => g.Server, StringComparer.Ordinal)
                .ThenBy(g => g.Tool, StringComparer.Ordinal).ThenBy(g => g.Mode).Select(g => new GrantEntry
                {
                    Subject = $"{(g.SubjectKind == SubjectKind.Agent ? "agent" : "role")}:{g.Subject}",
                    Server = g.Server,
                    Tool = g.Tool,
                    Effect = g.Effect.ToString().ToLowerInvariant(),
                    When = g.When,
                    Mode = g.Mode == GrantMode.LogOnly ? GrantModes.LogOnly : null,
                })],
            Redaction = new RedactionEntry
            {
                Keys = [.. redaction.Keys],
                Patterns = [.. redaction.Patterns.Select(p => new RedactionPatternEntry { Name = p.Name, Regex = p.Regex })],
            },
        };
    }

    private static ServerEntry Server(RegisteredServer server) => new()
    {
        Name = server.Name,
        DisplayName = server.DisplayName == server.Name ? null : server.DisplayName,
        Description = string.IsNullOrEmpty(server.Description) ? null : server.Description,
        Owner = string.IsNullOrEmpty(server.Owner) ? null : server.Owner,
        Enabled = server.Enabled,
        ShareSessions = server.ShareSessions ? true : null,
        Transport = server.Transport == ServerTransport.Http ? "http" : "stdio",
        Url = server.Url,
        Headers = References(server.Headers),
        Command = server.Command,
        Args = server.Transport == ServerTransport.Stdio ? server.Arguments : null,
        Env = References(server.Environment),
    };

    // Only references leave Shield; a secret typed into the console stays inside it.
    private static Dictionary<string, string>? References(List<SecretSetting> settings) =>
        settings.Any(s => s.Reference is not null) ? settings.Where(s => s.Reference is not null).ToDictionary(s => s.Name, s => s.Reference!) : null;

    private static ToolEntry? Tool(string server, RegisteredTool tool) => tool.State switch
    {
        ToolState.Approved or ToolState.Quarantined when tool.ApprovedFingerprint is not null =>
            new ToolEntry { Server = server, Name = tool.Name, State = "approved", Risk = Risk(tool.Risk), Fingerprint = tool.ApprovedFingerprint },
        ToolState.Blocked => new ToolEntry { Server = server, Name = tool.Name, State = "blocked", Risk = Risk(tool.Risk) },
        ToolState.PendingReview when tool.Risk != tool.SuggestedRisk => new ToolEntry { Server = server, Name = tool.Name, State = "pending", Risk = Risk(tool.Risk) },
        _ => null,
    };

    private static string Risk(RiskLevel risk) => risk.ToString().ToLowerInvariant();
}
