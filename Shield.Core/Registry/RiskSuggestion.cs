using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shield.Core.Registry;

/// <summary>
/// The risk a tool's annotations and description suggest. Annotations are the server's untrusted hints: they only set
/// a starting point for the administrator and never let a tool skip review. What a server leaves unsaid is read as
/// MCP's defaults say: a tool may be destructive and may reach the open world. A description that speaks of
/// environment variables, secrets, credentials or deleting is suggested as high, whatever the annotations claim.
/// </summary>
public static partial class RiskSuggestion
{
    public static RiskLevel From(JsonElement? annotations, string? description = null) =>
        description is not null && Sensitive().IsMatch(description) ? RiskLevel.High : FromAnnotations(annotations);

    private static RiskLevel FromAnnotations(JsonElement? annotations)
    {
        var destructive = Hint(annotations, "destructiveHint");
        var readOnly = Hint(annotations, "readOnlyHint");
        var openWorld = Hint(annotations, "openWorldHint");
        return (destructive, readOnly, openWorld) switch
        {
            (true, _, _) => RiskLevel.High,
            (_, true, true) => RiskLevel.Medium,
            (_, true, _) => RiskLevel.Low,
            (_, _, true) => RiskLevel.Medium,
            (false, _, _) => RiskLevel.Medium,
            _ => RiskLevel.High,
        };
    }

    [GeneratedRegex(@"\b(env(ironment)?[\s_-]*var(iable)?s?|environment|secrets?|credentials?|passwords?|api[\s_-]?keys?|access[\s_-]?keys?|private[\s_-]?keys?|tokens?|delet(e|es|ed|ing|ion)|eras(e|es|ed|ing)|destroy(s|ed|ing)?|wipe[sd]?|purge[sd]?|drop(s|ped|ping)?)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Sensitive();

    private static bool? Hint(JsonElement? annotations, string name) =>
        annotations is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var hint)
            ? hint.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null }
            : null;
}
