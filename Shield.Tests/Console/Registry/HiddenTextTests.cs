using Shield.Console.Registry;

namespace Shield.Tests.Console.Registry;

public sealed class HiddenTextTests
{
    [Theory]
    [InlineData("Sends\u200Bmail", "Sends⟦U+200B⟧mail", 1)]
    [InlineData("abc\u202Eevil", "abc⟦U+202E⟧evil", 1)]
    [InlineData("ok\U000E0049\U000E0067", "ok⟦U+E0049⟧⟦U+E0067⟧", 2)]
    [InlineData("Plain text, with\nlines and\ttabs.", "Plain text, with\nlines and\ttabs.", 0)]
    public void InvisibleCharacters_AreShown(string text, string shown, int count)
    {
        Assert.Equal(shown, HiddenText.Reveal(text));
        Assert.Equal(count, HiddenText.Count(text));
    }
}
