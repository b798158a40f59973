using System.Globalization;
using System.Text;

namespace Shield.Console.Registry;

/// <summary>
/// Makes characters a person cannot see, but a model reads, visible: zero-width and format characters, bidirectional
/// overrides, Unicode tag characters and controls. A reviewer must see every instruction a tool description carries.
/// </summary>
public static class HiddenText
{
    public static int Count(string? text) => string.IsNullOrEmpty(text) ? 0 : Runes(text).Count(IsHidden);

    /// <summary>The text with each hidden character written as ⟦U+XXXX⟧.</summary>
    public static string Reveal(string? text)
    {
        if (string.IsNullOrEmpty(text) || Count(text) == 0)
        {
            return text ?? "";
        }

        var revealed = new StringBuilder(text.Length + 16);
        foreach (var rune in Runes(text))
        {
            if (IsHidden(rune))
            {
                revealed.Append("⟦U+").Append(rune.Value.ToString("X4", CultureInfo.InvariantCulture)).Append('⟧');
            }
            else
            {
                revealed.Append(rune.ToString());
            }
        }

        return revealed.ToString();
    }

    private static IEnumerable<Rune> Runes(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            yield return rune;
        }
    }

    private static bool IsHidden(Rune rune) => rune.Value is not ('\n' or '\t' or '\r')
        && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.PrivateUse
            or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned;
}
