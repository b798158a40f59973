namespace Shield.Core.Text;

/// <summary>Cutting text that came from elsewhere to a column's or a message's length, marked with an ellipsis.</summary>
public static class TextClip
{
    /// <summary>
    /// <paramref name="text"/> itself when it fits, else its first <paramref name="length"/> − 1 characters and "…",
    /// one fewer when the cut would split a surrogate pair (half a character is no text: it cannot be written as UTF-8).
    /// </summary>
    public static string Clip(this string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var kept = length - 1;
        return (kept > 0 && char.IsHighSurrogate(text[kept - 1]) ? text[..(kept - 1)] : text[..kept]) + "…";
    }
}
