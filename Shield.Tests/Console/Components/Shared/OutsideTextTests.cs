using Bunit;
using Shield.Console.Components.Shared;

namespace Shield.Tests.Console.Components.Shared;

/// <summary>Outside text is shown as text, with characters that do not display written out and marked, and isolated.</summary>
public sealed class OutsideTextTests : ComponentTestContext
{
    [Fact]
    public void HiddenAndBidirectionalCharacters_AreWrittenOutAndMarked_MarkupStaysText()
    {
        var text = Render<OutsideText>(p => p.Add(t => t.Text, "Pay <b>now</b>\u200B then \u202Egnp.exe\u202C"));

        Assert.Equal("Pay <b>now</b>⟦U+200B⟧ then ⟦U+202E⟧gnp.exe⟦U+202C⟧", text.Find("bdi").TextContent);
        Assert.Equal(["⟦U+200B⟧", "⟦U+202E⟧", "⟦U+202C⟧"], text.FindAll("mark.hidden-char").Select(m => m.TextContent));
        Assert.Empty(text.FindAll("b"));
        Assert.DoesNotContain('\u202E', text.Markup);
    }

    [Theory]
    [InlineData("abcdef", 4, "abcd…")]
    [InlineData("ab\u200Bcdef", 6, "ab…")]
    [InlineData("ab\u200Bcdef", 13, "ab⟦U+200B⟧cde…")]
    [InlineData("abc", 3, "abc")]
    public void ALongText_IsCut_CountingWhatIsShown(string value, int max, string shown) =>
        Assert.Equal(shown, Render<OutsideText>(p => p.Add(t => t.Text, value).Add(t => t.Max, max)).Find("bdi").TextContent);

    [Fact]
    public void NoText_ShowsNothing() => Assert.Equal("", Render<OutsideText>().Find("bdi").TextContent);
}
