namespace Shield.Core.Text;

/// <summary>Cutting text that came from elsewhere to a column's or a message's length, marked with an ellipsis.</summary>
public static class TextClip
{
    /// <summary><paramref name="text"/> itself when it fits, else its first <paramref name="length"/> − 1 characters and "…".</summary>
    public static string Clip(this string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
