using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shield.Console.Governance;

/// <summary>
/// The whole governance configuration as one JSON document (version 1), for version control and review as a diff.
/// It never contains a secret: references such as <c>${env:NAME}</c> are kept as written, secrets entered in the
/// console are left out. See docs/governance.md.
/// </summary>
public sealed record GovernanceDocument
{
    public int Version { get; init; }

    /// <summary>
    /// <c>enforce</c> (the default) or <c>log-only</c>: a log-only document holds only <c>grants</c>, which replace the
    /// log-only grants and leave every enforced one as it is (docs/access-control.md#shadow-mode).
    /// </summary>
    public string? Mode { get; init; }

    public List<ServerEntry>? Servers { get; init; }

    public List<ToolEntry>? Tools { get; init; }

    public List<AgentEntry>? Agents { get; init; }

    /// <summary>When present, the complete list of grants: grants not in it are removed on import.</summary>
    public List<GrantEntry>? Grants { get; init; }

    /// <summary>When present, the complete set of administrators' redaction rules: rules not in it are removed on import.</summary>
    public RedactionEntry? Redaction { get; init; }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}

/// <summary>A server in the governance document.</summary>
public sealed record ServerEntry
{
    public string? Name { get; init; }

    public string? DisplayName { get; init; }

    public string? Description { get; init; }

    public string? Owner { get; init; }

    public bool? Enabled { get; init; }

    /// <summary>Agents without client capabilities share one upstream session to it; absent means no.</summary>
    public bool? ShareSessions { get; init; }

    /// <summary><c>http</c> or <c>stdio</c>.</summary>
    public string? Transport { get; init; }

    public string? Url { get; init; }

    public Dictionary<string, string>? Headers { get; init; }

    public string? Command { get; init; }

    public List<string>? Args { get; init; }

    public Dictionary<string, string>? Env { get; init; }
}

/// <summary>A decision about one tool in the governance document.</summary>
public sealed record ToolEntry
{
    public string? Server { get; init; }

    public string? Name { get; init; }

    /// <summary><c>approved</c>, <c>blocked</c> or <c>pending</c>.</summary>
    public string? State { get; init; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>; absent to keep the current risk.</summary>
    public string? Risk { get; init; }

    /// <summary><c>sha256:...</c>: approve only this exact definition. Absent: trust the definition first discovered.</summary>
    public string? Fingerprint { get; init; }
}

/// <summary>An agent in the governance document: never its key, only the key's SHA-256.</summary>
public sealed record AgentEntry
{
    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Owner { get; init; }

    public List<string>? Roles { get; init; }

    public bool? Enabled { get; init; }

    /// <summary>Lowercase hex SHA-256 of the agent key; absent to keep the agent's current key.</summary>
    public string? KeySha256 { get; init; }

    /// <summary>In Entra ID mode, the client id of an Entra application that may act as this agent.</summary>
    public string? EntraClientId { get; init; }
}

/// <summary>A grant in the governance document.</summary>
public sealed record GrantEntry
{
    /// <summary><c>agent:&lt;name&gt;</c> or <c>role:&lt;name&gt;</c>.</summary>
    public string? Subject { get; init; }

    public string? Server { get; init; }

    /// <summary>A tool name, or <c>*</c> for every tool of the server.</summary>
    public string? Tool { get; init; }

    /// <summary><c>allow</c>, <c>approve</c> or <c>deny</c>.</summary>
    public string? Effect { get; init; }

    /// <summary>A condition in CEL: the grant applies only to calls for which it holds. Absent for a grant that always applies.</summary>
    public string? When { get; init; }

    /// <summary><c>enforce</c> or <c>log-only</c> (watched, never enforced); absent for the document's mode.</summary>
    public string? Mode { get; init; }
}

/// <summary>
/// The administrators' redaction rules in the governance document, added to the built-in detectors, which always apply.
/// A missing <c>keys</c> or <c>patterns</c> is an empty list: the section is the whole set.
/// </summary>
public sealed record RedactionEntry
{
    /// <summary>More secret key names: the value of any key whose name contains one (ignoring case and punctuation) is masked.</summary>
    public List<string>? Keys { get; init; }

    public List<RedactionPatternEntry>? Patterns { get; init; }
}

/// <summary>A named pattern: what its .NET regular expression matches is masked as <c>[REDACTED:&lt;name&gt;]</c>.</summary>
public sealed record RedactionPatternEntry
{
    public string? Name { get; init; }

    public string? Regex { get; init; }
}
