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

    public static string Shorten(string? text, int length) =>
        string.IsNullOrEmpty(text) ? "" : text.Length <= length ? text : text[..length] + "…";
}
