using Shield.Core.Accounts;

namespace Shield.Tests.Core.Accounts;

/// <summary>Every spelling of a person comes to one normal form; text that names no person is refused with how to write one.</summary>
public sealed class PersonTests
{
    [Theory]
    [InlineData("rita@example.com")]
    [InlineData(" RITA@Example.COM ")]
    [InlineData("Rita <rita@example.com>")]
    [InlineData("\"Rita R.\" <Rita@example.com>")]
    [InlineData("<rita@example.com>")]
    [InlineData("ri\u200Bta@example.com\u2060")]
    [InlineData("rita@\u202Eexample.com")]
    [InlineData("ｒｉｔａ＠ｅｘａｍｐｌｅ．ｃｏｍ")]
    [InlineData("\trita@example.com\n")]
    public void SpellingsOfAnAddress_AreOnePerson(string spelling)
    {
        Assert.Null(Person.Problem(spelling));
        Assert.Equal("rita@example.com", Person.Normalize(spelling));
        Assert.True(Person.Same(spelling, "rita@example.com"));
    }

    [Fact]
    public void AnAccountId_IsAPerson_InOneCase()
    {
        var id = Guid.NewGuid();

        Assert.Null(Person.Problem(id.ToString("D").ToUpperInvariant()));
        Assert.Equal(id.ToString("D"), Person.Normalize($" {id.ToString("D").ToUpperInvariant()} "));
        Assert.True(Person.Same(id.ToString("B"), id.ToString("D")));
    }

    [Theory]
    [InlineData("finance")]
    [InlineData("rita")]
    [InlineData("rita@")]
    [InlineData("@example.com")]
    [InlineData("rita@example.com, bob@example.com")]
    [InlineData("rita at example.com")]
    public void TextThatNamesNoPerson_IsRefused_SayingWhatToWrite(string text) =>
        Assert.Contains("email address", Person.Problem(text), StringComparison.Ordinal);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  \u200B ")]
    public void NoOwner_IsAllowed_AndIsNobody(string? text)
    {
        Assert.Null(Person.Problem(text));
        Assert.False(Person.Same(text, ""));
    }

    [Fact]
    public void DifferentPeople_AreNotTheSame() => Assert.False(Person.Same("rita@example.com", "rita@example.org"));
}
