using Bunit;
using Shield.Console.Components.Pages.Registry;
using Shield.Console.Registry;
using Shield.Core.Registry;

namespace Shield.Tests.Console.Components.Pages.Registry;

public sealed class RegistryComponentTests : ComponentTestContext
{
    [Fact]
    public void AnApprovedToolWhoseDefinitionChanged_IsNotShownAsCallable()
    {
        var chip = Render<ToolStateChip>(p => p.Add(c => c.Tool, Tool(ToolState.Approved, callable: false)));

        Assert.DoesNotContain("mud-chip-color-success", chip.Markup, StringComparison.Ordinal);
        Assert.Contains("mud-chip-color-warning", chip.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void CountChips_LinkToTheInventoryFilteredByState()
    {
        var chips = Render<ToolCountChips>(p => p.Add(c => c.Counts, new ToolCounts(2, 5, 0, 1, 0)).Add(c => c.Server, "crm"));

        var links = chips.FindAll("a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href"))).ToList();
        Assert.Equal([("2 pending", "/tools?server=crm&state=PendingReview"), ("5 approved", "/tools?server=crm&state=Approved"),
            ("1 quarantined", "/tools?server=crm&state=Quarantined")], links);
    }

    [Fact]
    public void TheDiff_MarksWhatChanged_AndRendersServerTextAsText()
    {
        var approved = new DefinitionVersion("sha256:aaaa", DateTime.UtcNow, "{\"description\":\"Sends mail.\",\"name\":\"send\"}");
        var current = new DefinitionVersion("sha256:bbbb", DateTime.UtcNow, "{\"description\":\"Sends mail <b>and a copy</b>.\",\"name\":\"send\"}");

        var diff = Render<DefinitionDiff>(p => p.Add(d => d.Approved, approved).Add(d => d.Current, current));

        Assert.Contains("Sends mail.", diff.Find("#diff-approved .diff-modified").TextContent, StringComparison.Ordinal);
        Assert.Contains("<b>and a copy</b>", diff.Find("#diff-current .diff-modified").TextContent, StringComparison.Ordinal);
        Assert.Empty(diff.FindAll("#diff-current b"));
    }

    private static ToolView Tool(ToolState state, bool callable) => new(Guid.NewGuid(), "crm", "t", null, null, state, RiskLevel.Low, RiskLevel.Low,
        "sha256:x", "sha256:y", callable, DateTime.UtcNow, DateTime.UtcNow, null, null);
}
