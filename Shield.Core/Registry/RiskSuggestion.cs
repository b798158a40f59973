using System.Text.Json;

namespace Shield.Core.Registry;

/// <summary>
/// The risk a tool's annotations suggest. Annotations are the server's untrusted hints: they only set a starting
/// point for the administrator and never let a tool skip review. What a server leaves unsaid is read as MCP's
/// defaults say: a tool may be destructive and may reach the open world.
/// </summary>
public static class RiskSuggestion
{
    public static RiskLevel From(JsonElement? annotations)
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

    private static bool? Hint(JsonElement? annotations, string name) =>
        annotations is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty(name, out var hint)
            ? hint.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null }
            : null;
}
