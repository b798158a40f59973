using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shield.Core.Json;

namespace Shield.Core.Registry;

/// <summary>
/// A tool as a server describes it in <c>tools/list</c>. Its fingerprint is the SHA-256 of the canonical JSON of
/// name, title, description, input and output schema and annotations: any change to what an agent would read or send
/// changes it.
/// </summary>
public sealed record ToolDefinition(
    string Name,
    string? Title,
    string? Description,
    JsonElement InputSchema,
    JsonElement? OutputSchema,
    JsonElement? Annotations)
{
    private string? _canonical;
    private string? _fingerprint;

    /// <summary>The canonical JSON the fingerprint covers; members in sorted order, absent fields left out.</summary>
    public string Canonical => _canonical ??= BuildCanonical();

    public string Fingerprint => _fingerprint ??= "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical)));

    public RiskLevel SuggestedRisk => RiskSuggestion.From(Annotations, Description);

    private string BuildCanonical()
    {
        var text = new StringBuilder("{");
        Member(text, "annotations", Annotations);
        Member(text, "description", Description);
        Member(text, "inputSchema", InputSchema);
        Member(text, "name", Name);
        Member(text, "outputSchema", OutputSchema);
        Member(text, "title", Title);
        return text.Append('}').ToString();
    }

    private static void Member(StringBuilder text, string name, JsonElement? value)
    {
        if (value is not { ValueKind: not JsonValueKind.Undefined and not JsonValueKind.Null } present)
        {
            return;
        }

        Separator(text);
        CanonicalJson.WriteString(name, text);
        text.Append(':');
        CanonicalJson.Write(present, text);
    }

    private static void Member(StringBuilder text, string name, string? value)
    {
        if (value is null)
        {
            return;
        }

        Separator(text);
        CanonicalJson.WriteString(name, text);
        text.Append(':');
        CanonicalJson.WriteString(value, text);
    }

    private static void Separator(StringBuilder text)
    {
        if (text.Length > 1)
        {
            text.Append(',');
        }
    }
}
