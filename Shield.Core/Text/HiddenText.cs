using System.Globalization;
using System.Text;

namespace Shield.Core.Text;

/// <summary>
/// Characters a person cannot see but a model reads, or that reorder what a person sees: zero-width and other format
/// characters, bidirectional embeddings, overrides and isolates, Unicode tag characters, controls, line and paragraph
/// separators, variation selectors and the blank letters that render as nothing (Hangul fillers, the braille blank).
/// Text from outside Shield (tool titles and descriptions, server names, session tasks, upstream errors) is shown with
/// each of them written out as ⟦U+XXXX⟧, so a reviewer sees every instruction it carries and text that reads the same
/// on screen is the same text.
/// </summary>
public static class HiddenText
{
    public static int Count(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var count = 0;
        var at = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            count += IsHidden(rune, text, at) ? 1 : 0;
            at += rune.Utf16SequenceLength;
        }

        return count;
    }

    /// <summary>The text with each hidden character written as ⟦U+XXXX⟧.</summary>
    public static string Reveal(string? text) => Count(text) == 0 ? text ?? "" : string.Concat(Segments(text).Select(s => s.Text));

    /// <summary>The text without its hidden characters, for comparing what people would take to be the same text.</summary>
    public static string Remove(string? text) => Count(text) == 0 ? text ?? "" : string.Concat(Segments(text).Where(s => !s.Hidden).Select(s => s.Text));

    /// <summary>The text in runs of visible text and single hidden characters written as ⟦U+XXXX⟧, for showing them apart.</summary>
    public static IEnumerable<(string Text, bool Hidden)> Segments(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            yield break;
        }

        var visible = 0;
        var at = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsHidden(rune, text, at))
            {
                if (at > visible)
                {
                    yield return (text[visible..at], false);
                }

                var code = rune == Rune.ReplacementChar ? text[at] : rune.Value;
                yield return ($"⟦U+{code.ToString("X4", CultureInfo.InvariantCulture)}⟧", true);
                visible = at + rune.Utf16SequenceLength;
            }

            at += rune.Utf16SequenceLength;
        }

        if (text.Length > visible)
        {
            yield return (text[visible..], false);
        }
    }

    public static bool IsHidden(Rune rune) => rune.Value switch
    {
        '\n' or '\t' or '\r' => false,
        0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x2800 or 0x3164 or 0xFFA0 => true, // grapheme joiner, blank letters
        >= 0xFE00 and <= 0xFE0F or >= 0xE0100 and <= 0xE01EF => true, // variation selectors
        _ => Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.Control or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator,
    };

    // A lone surrogate (half of a character) comes out of the enumeration as U+FFFD: it is hidden too.
    private static bool IsHidden(Rune rune, string text, int at) => IsHidden(rune) || (rune == Rune.ReplacementChar && char.IsSurrogate(text[at]));
}
