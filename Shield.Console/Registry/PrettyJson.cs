using System.Text.Encodings.Web;
using System.Text.Json;
using Shield.Core.Text;

namespace Shield.Console.Registry;

/// <summary>
/// Indented JSON for people to read and compare, with hidden characters made visible. The result is plain text:
/// render it as text.
/// </summary>
public static class PrettyJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Format(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "";
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return HiddenText.Reveal(JsonSerializer.Serialize(document.RootElement, Indented));
        }
        catch (JsonException)
        {
            return HiddenText.Reveal(json);
        }
    }
}
