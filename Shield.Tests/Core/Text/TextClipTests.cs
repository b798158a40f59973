using Shield.Core.Text;

namespace Shield.Tests.Core.Text;

public sealed class TextClipTests
{
    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("abcdefghij", 5, "abcd…")]
    [InlineData("abc\U0001F600defg", 5, "abc…")] // the cut would fall inside the emoji's surrogate pair
    [InlineData("abcd\U0001F600efg", 7, "abcd\U0001F600…")]
    public void TextIsClipped_WithAnEllipsis_NeverInsideACharacter(string text, int length, string clipped)
    {
        var result = text.Clip(length);

        Assert.Equal(clipped, result);
        Assert.True(result.Length <= length);
        Assert.DoesNotContain(result.EnumerateRunes(), rune => rune == System.Text.Rune.ReplacementChar);
    }
}
