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

    public List<ServerEntry>? Servers { get; init; }

    public List<ToolEntry>? Tools { get; init; }

    /// <summary>Reserved for agents, grants and redaction rules, which a later version of Shield fills.</summary>
    public JsonElement? Agents { get; init; }

    public JsonElement? Grants { get; init; }

    public JsonElement? Redaction { get; init; }

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
