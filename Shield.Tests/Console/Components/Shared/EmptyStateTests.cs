using Bunit;
using Shield.Console.Components.Shared;

namespace Shield.Tests.Console.Components.Shared;

public sealed class EmptyStateTests : ComponentTestContext
{
    [Fact]
    public void ShowsTheTitleAndWhatTheAreaWillHold_AsText()
    {
        var state = Render<EmptyState>(p => p
            .Add(s => s.Title, "No servers <b>yet</b>")
            .AddChildContent(text => text.AddContent(0, "<script>alert(1)</script> will be listed here")));

        Assert.Contains("No servers <b>yet</b>", state.Find("h6").TextContent, StringComparison.Ordinal);
        Assert.Empty(state.FindAll("script"));
        Assert.Contains("will be listed here", state.Markup, StringComparison.Ordinal);
    }
}
