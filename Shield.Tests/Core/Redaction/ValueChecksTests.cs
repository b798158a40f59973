using Shield.Core.Redaction;

namespace Shield.Tests.Core.Redaction;

public sealed class ValueChecksTests
{
    [Theory]
    [InlineData("q8Zr2LpX9vKd3WmN7tYb5HcQ1sFj6GaE4uRo0PiT", true)] // letters of both cases and digits
    [InlineData("dGhpcyBpcyBhIHRlc3Qgb2YgYmFzZTY0IGVuY29kaW5n+/==", true)] // base64, with its punctuation
    [InlineData("3f9a1c07be52d4e8a6b0c9d1e2f3a4b5c6d7e8f9", true)] // hex with letters and digits: 3 bits are enough
    [InlineData("3F9A1C07BE52D4E8A6B0C9D1E2F3A4B5C6D7E8F9", true)] // the same in capitals
    [InlineData("4111111111111111411111111111111141111111", false)] // hex alphabet, digits only
    [InlineData("abcdefabcdefabcdefabcdefabcdefabcdefabcd", false)] // hex alphabet, letters only
    [InlineData("qwertzuiopasdfghjklyxcvbnmqwertzuiopasdf", false)] // one class only, however varied
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", false)] // one letter
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1111", false)] // two classes, little entropy
    [InlineData("", false)]
    public void TellsRandomTokensFromLookAlikes(string text, bool expected) =>
        Assert.Equal(expected, ValueChecks.IsHighEntropy(text));
}
