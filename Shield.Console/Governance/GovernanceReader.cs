using System.Text.Json;
using System.Text.RegularExpressions;
using Shield.Console.Agents;
using Shield.Console.Registry;
using Shield.Core.Agents;
using Shield.Core.Grants;
using Shield.Core.Redaction;
using Shield.Core.Registry;

namespace Shield.Console.Governance;

/// <summary>One problem in a governance document, at its JSON path.</summary>
public sealed record GovernanceError(string Path, string Message);

/// <summary>
/// Reads and checks a governance document, reporting every problem at once with its JSON path. Checks that need the
/// database (a tool of a server that is neither in the document nor registered) are the importer's.
/// </summary>
public static partial class GovernanceReader
{
    public const int SupportedVersion = 1;

    public static (GovernanceDocument? Document, List<GovernanceError> Errors) Read(string json)
    {
        GovernanceDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<GovernanceDocument>(json, GovernanceDocument.Json);
        }
        catch (JsonException error)
        {
            var where = error.LineNumber is { } line ? $" (line {line + 1}, position {error.BytePositionInLine + 1})" : "";
            return (null, [new GovernanceError(error.Path ?? "$", $"{FirstSentence(error.Message)}{where}")]);
        }

        if (document is null)
        {
            return (null, [new GovernanceError("$", "The document is empty: expected a JSON object with \"version\": 1.")]);
        }

        List<GovernanceError> errors = [];
        if (document.Version != SupportedVersion)
        {
            errors.Add(new("$.version", $"Version {document.Version} is not supported: this Shield reads version {SupportedVersion}."));
        }

        CheckServers(document.Servers ?? [], errors);
        CheckTools(document.Tools ?? [], errors);
        CheckAgents(document.Agents ?? [], errors);
        CheckMode(document, errors);
        CheckGrants(document, errors);
        if (document.Redaction is { } redaction)
        {
            errors.AddRange(RedactionRulesValidator.Validate(Rules(redaction)).Select(p => new GovernanceError($"$.redaction.{p.Path}", p.Message)));
        }

        return (document, errors);
    }

    /// <summary>The rules a <c>redaction</c> section holds; a missing list is empty, a null entry an empty one.</summary>
    public static RedactionRules Rules(RedactionEntry entry) => new(
        [.. (entry.Keys ?? []).Select(k => k ?? "")],
        [.. (entry.Patterns ?? []).Select(p => new RedactionPattern(p?.Name ?? "", p?.Regex ?? ""))]);

    /// <summary>The console's input for a server entry; settings as given (references kept as written).</summary>
    public static ServerInput ToInput(ServerEntry entry) => new(
        entry.Name, entry.DisplayName, entry.Description, entry.Owner, entry.Enabled ?? true,
        string.Equals(entry.Transport, "stdio", StringComparison.Ordinal) ? ServerTransport.Stdio : ServerTransport.Http,
        entry.Url, entry.Command, entry.Args,
        [.. (entry.Headers ?? []).Select(h => new SettingInput(h.Key, h.Value))],
        [.. (entry.Env ?? []).Select(e => new SettingInput(e.Key, e.Value))],
        entry.ShareSessions ?? false);

    public static ToolState? State(string? state) => state switch
    {
        "approved" => ToolState.Approved,
        "blocked" => ToolState.Blocked,
        "pending" => ToolState.PendingReview,
        _ => null,
    };

    public static RiskLevel? Risk(string? risk) => risk switch
    {
        "low" => RiskLevel.Low,
        "medium" => RiskLevel.Medium,
        "high" => RiskLevel.High,
        "critical" => RiskLevel.Critical,
        _ => null,
    };

    private static void CheckServers(List<ServerEntry> servers, List<GovernanceError> errors)
    {
        for (var i = 0; i < servers.Count; i++)
        {
            var path = $"$.servers[{i}]";
            var entry = servers[i];
            if (entry.Transport is not ("http" or "stdio"))
            {
                errors.Add(new($"{path}.transport", $"'{entry.Transport}' is not a transport: use \"http\" or \"stdio\"."));
            }

            foreach (var (field, messages) in ServerCatalog.Problems(ToInput(entry), existing: null))
            {
                var documentField = field switch { "environment" => "env", "arguments" => "args", _ => field };
                errors.AddRange(messages.Select(m => new GovernanceError($"{path}.{documentField}", m)));
            }

            if (servers.Take(i).Any(s => s.Name == entry.Name))
            {
                errors.Add(new($"{path}.name", $"{entry.Name} is listed more than once."));
            }
        }
    }

    private static void CheckTools(List<ToolEntry> tools, List<GovernanceError> errors)
    {
        for (var i = 0; i < tools.Count; i++)
        {
            var path = $"$.tools[{i}]";
            var entry = tools[i];
            if (ServerName.Problem(entry.Server) is { } server)
            {
                errors.Add(new($"{path}.server", server));
            }

            if (string.IsNullOrEmpty(entry.Name) || entry.Name.Length > ToolLimits.MaxNameLength || !ToolNameCharacters().IsMatch(entry.Name))
            {
                errors.Add(new($"{path}.name", $"'{entry.Name}' is not a tool name: 1 to {ToolLimits.MaxNameLength} characters of A-Z, a-z, 0-9, _, - and ."));
            }

            if (State(entry.State) is null)
            {
                errors.Add(new($"{path}.state", $"'{entry.State}' is not a decision: use \"approved\", \"blocked\" or \"pending\"."));
            }

            if (entry.Risk is not null && Risk(entry.Risk) is null)
            {
                errors.Add(new($"{path}.risk", $"'{entry.Risk}' is not a risk: use \"low\", \"medium\", \"high\" or \"critical\"."));
            }

            if (entry.Fingerprint is not null && !FingerprintFormat().IsMatch(entry.Fingerprint))
            {
                errors.Add(new($"{path}.fingerprint", "A fingerprint is \"sha256:\" followed by 64 lowercase hexadecimal digits, as Shield exports it."));
            }

            if (entry.Fingerprint is not null && entry.State != "approved")
            {
                errors.Add(new($"{path}.fingerprint", "A fingerprint pins an approval; it only goes with \"state\": \"approved\"."));
            }

            if (tools.Take(i).Any(t => t.Server == entry.Server && t.Name == entry.Name))
            {
                errors.Add(new(path, $"{entry.Server}/{entry.Name} is listed more than once."));
            }
        }
    }

    public static (SubjectKind Kind, string Name)? Subject(string? subject) => subject switch
    {
        ['a', 'g', 'e', 'n', 't', ':', .. var name] when name.Length > 0 => (SubjectKind.Agent, name),
        ['r', 'o', 'l', 'e', ':', .. var name] when name.Length > 0 => (SubjectKind.Role, name),
        _ => null,
    };

    public static GrantEffect? Effect(string? effect) => effect switch
    {
        "allow" => GrantEffect.Allow,
        "approve" => GrantEffect.Approve,
        "deny" => GrantEffect.Deny,
        _ => null,
    };

    private static void CheckAgents(List<AgentEntry> agents, List<GovernanceError> errors)
    {
        for (var i = 0; i < agents.Count; i++)
        {
            var path = $"$.agents[{i}]";
            var entry = agents[i];
            foreach (var (field, messages) in AgentDirectory.Problems(new AgentInput(entry.Name, entry.Description, entry.Owner, entry.Roles, entry.Enabled ?? true, entry.EntraClientId)))
            {
                errors.AddRange(messages.Select(m => new GovernanceError($"{path}.{field}", m)));
            }

            if (entry.KeySha256 is not null && !KeyHashFormat().IsMatch(entry.KeySha256))
            {
                errors.Add(new($"{path}.keySha256", $"A key hash is the lowercase hex SHA-256 of the agent key ({SecretToken.Shape(SecretToken.AgentKeyPrefix)}): 64 characters of 0-9 and a-f."));
            }

            if (agents.Take(i).Any(a => a.Name == entry.Name))
            {
                errors.Add(new($"{path}.name", $"{entry.Name} is listed more than once."));
            }
        }
    }

    /// <summary>The mode of a grant of <paramref name="document"/>: its own, or else the document's.</summary>
    public static GrantMode Mode(GovernanceDocument document, GrantEntry entry) =>
        GrantModes.Parse(entry.Mode) ?? GrantModes.Parse(document.Mode) ?? GrantMode.Enforce;

    public static bool IsLogOnly(GovernanceDocument document) => GrantModes.Parse(document.Mode) == GrantMode.LogOnly;

    // A log-only document must change nothing that is enforced: it holds log-only grants and nothing else.
    private static void CheckMode(GovernanceDocument document, List<GovernanceError> errors)
    {
        if (document.Mode is not null && GrantModes.Parse(document.Mode) is null)
        {
            errors.Add(new("$.mode", $"'{document.Mode}' is not a mode: use \"{GrantModes.Enforce}\" or \"{GrantModes.LogOnly}\"."));
            return;
        }

        if (!IsLogOnly(document))
        {
            return;
        }

        foreach (var (section, present) in (ReadOnlySpan<(string, bool)>)[
            ("servers", document.Servers is not null), ("tools", document.Tools is not null), ("agents", document.Agents is not null),
            ("redaction", document.Redaction is not null)])
        {
            if (present)
            {
                errors.Add(new($"$.{section}", $"A log-only document changes nothing that is enforced, so it holds only grants: leave out \"{section}\", or import it in a document of its own."));
            }
        }

        if (document.Grants is null)
        {
            errors.Add(new("$.grants", "A log-only document holds the log-only grants: add a \"grants\" list (an empty one removes every log-only grant)."));
        }

        for (var i = 0; i < (document.Grants?.Count ?? 0); i++)
        {
            if (GrantModes.Parse(document.Grants![i].Mode) == GrantMode.Enforce)
            {
                errors.Add(new($"$.grants[{i}].mode", "A log-only document cannot hold an enforced grant: import it in an enforce document."));
            }
        }
    }

    private static void CheckGrants(GovernanceDocument document, List<GovernanceError> errors)
    {
        var grants = document.Grants ?? [];
        for (var i = 0; i < grants.Count; i++)
        {
            var path = $"$.grants[{i}]";
            var entry = grants[i];
            if (Subject(entry.Subject) is not { } subject)
            {
                errors.Add(new($"{path}.subject", $"'{entry.Subject}' is not a subject: write agent:<name> or role:<name>."));
            }
            else if (subject.Kind == SubjectKind.Role && AgentRoles.Problem(subject.Name) is { } role)
            {
                errors.Add(new($"{path}.subject", role));
            }

            if (ServerName.Problem(entry.Server) is { } server)
            {
                errors.Add(new($"{path}.server", server));
            }

            if (entry.Tool != Grant.AllTools && (string.IsNullOrEmpty(entry.Tool) || !ToolNameCharacters().IsMatch(entry.Tool)))
            {
                errors.Add(new($"{path}.tool", $"'{entry.Tool}' is not a tool: give a tool name, or * for every tool of the server."));
            }

            if (Effect(entry.Effect) is null)
            {
                errors.Add(new($"{path}.effect", $"'{entry.Effect}' is not an effect: use \"allow\", \"approve\" or \"deny\"."));
            }

            if (entry.Mode is not null && GrantModes.Parse(entry.Mode) is null)
            {
                errors.Add(new($"{path}.mode", $"'{entry.Mode}' is not a mode: use \"{GrantModes.Enforce}\" or \"{GrantModes.LogOnly}\" (or leave it out for the document's)."));
            }

            // One enforced and one log-only grant per subject and target.
            var mode = Mode(document, entry);
            if (grants.Take(i).Any(g => g.Subject == entry.Subject && g.Server == entry.Server && g.Tool == entry.Tool && Mode(document, g) == mode))
            {
                errors.Add(new(path, $"{entry.Subject} has more than one {(mode == GrantMode.LogOnly ? "log-only" : "enforced")} grant for {entry.Server}/{entry.Tool}."));
            }
        }
    }

    private static string FirstSentence(string message) => message.Split(". Path:")[0].TrimEnd('.') + ".";

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex KeyHashFormat();

    [GeneratedRegex("^sha256:[0-9a-f]{64}$")]
    private static partial Regex FingerprintFormat();

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex ToolNameCharacters();
}
