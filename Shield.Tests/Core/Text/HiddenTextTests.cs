using Shield.Core.Text;

namespace Shield.Tests.Core.Text;

public sealed class HiddenTextTests
{
    [Theory]
    [InlineData("Sends\u200Bmail", "Sends⟦U+200B⟧mail", 1)]
    [InlineData("abc\u202Eevil", "abc⟦U+202E⟧evil", 1)]
    [InlineData("abc\u2066isolated\u2069", "abc⟦U+2066⟧isolated⟦U+2069⟧", 2)]
    [InlineData("ok\U000E0049\U000E0067", "ok⟦U+E0049⟧⟦U+E0067⟧", 2)]
    [InlineData("a\u3164b\u2800c\uFE0Fd\u034Fe", "a⟦U+3164⟧b⟦U+2800⟧c⟦U+FE0F⟧d⟦U+034F⟧e", 4)]
    [InlineData("line\u2028break", "line⟦U+2028⟧break", 1)]
    [InlineData("Plain text, with\nlines and\ttabs, émoji 🛡 and עברית.", "Plain text, with\nlines and\ttabs, émoji 🛡 and עברית.", 0)]
    public void InvisibleAndBidirectionalCharacters_AreShown(string text, string shown, int count)
    {
        Assert.Equal(shown, HiddenText.Reveal(text));
        Assert.Equal(count, HiddenText.Count(text));
        Assert.Equal(shown, string.Concat(HiddenText.Segments(text).Select(s => s.Text)));
        Assert.Equal(count, HiddenText.Segments(text).Count(s => s.Hidden));
    }

    [Fact]
    public void HalfACharacter_IsShownToo()
    {
        var text = "half " + '\uD800' + " a pair";

        Assert.Equal("half ⟦U+D800⟧ a pair", HiddenText.Reveal(text));
        Assert.Equal(1, HiddenText.Count(text));
    }

    [Fact]
    public void Removing_LeavesWhatAPersonSees() => Assert.Equal("rita@example.com", HiddenText.Remove("ri\u200Bta@exam\u202Eple.com\u2060"));
}
