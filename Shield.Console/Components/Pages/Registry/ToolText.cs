using Shield.Core.Registry;

namespace Shield.Console.Components.Pages.Registry;

/// <summary>Words for tool states, and safe shortening of untrusted descriptions (always rendered as text).</summary>
internal static class ToolText
{
    public static string State(ToolState state) => state switch
    {
        ToolState.PendingReview => "Pending review",
        _ => state.ToString(),
    };

    /// <summary>At most <paramref name="length"/> characters, hidden ones made visible.</summary>
    public static string Shorten(string? text, int length)
    {
        var shown = Shield.Console.Registry.HiddenText.Reveal(text);
        return shown.Length <= length ? shown : shown[..length] + "…";
    }
}
