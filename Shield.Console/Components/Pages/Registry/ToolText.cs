using Shield.Core.Registry;

namespace Shield.Console.Components.Pages.Registry;

/// <summary>Words for tool states.</summary>
internal static class ToolText
{
    public static string State(ToolState state) => state switch
    {
        ToolState.PendingReview => "Pending review",
        _ => state.ToString(),
    };
}
