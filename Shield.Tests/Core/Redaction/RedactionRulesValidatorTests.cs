using Shield.Core.Redaction;

namespace Shield.Tests.Core.Redaction;

/// <summary>Every rule an administrator may store, and every way a rule set is refused, at its path.</summary>
public sealed class RedactionRulesValidatorTests
{
    [Fact]
    public void TheDocumentedExample_IsValid() =>
        Assert.Empty(RedactionRulesValidator.Validate(new RedactionRules(["password", "token"], [new RedactionPattern("employee-id", @"EMP-\d{6}")])));

    [Theory]
    [InlineData("", "keys[0]", "empty")]
    [InlineData("   ", "keys[0]", "empty")]
    [InlineData(" patient", "keys[0]", "spaces around it")]
    [InlineData("patient ", "keys[0]", "spaces around it")]
    [InlineData("---", "keys[0]", "no letter or digit")]
    public void AKeyThatCannotMatch_IsRefused(string key, string path, string says) =>
        AssertRefused(new RedactionRules([key], []), path, says);

    [Fact]
    public void AKeyLongerThan100Characters_IsRefused()
    {
        Assert.Empty(RedactionRulesValidator.Validate(new RedactionRules([new string('k', 100)], [])));
        AssertRefused(new RedactionRules([new string('k', 101)], []), "keys[0]", "at most 100");
    }

    [Theory]
    [InlineData("Token")]
    [InlineData("TOKEN")]
    [InlineData("to-ken")]
    public void AKeyListedTwice_WhateverItsCaseOrPunctuation_IsRefusedAtTheRepeat(string repeat) =>
        AssertRefused(new RedactionRules(["token", "patient", repeat], []), "keys[2]", "keys[0]");

    [Fact]
    public void AtMost200Keys()
    {
        Assert.Empty(RedactionRulesValidator.Validate(new RedactionRules(Keys(200), [])));
        AssertRefused(new RedactionRules(Keys(201), []), "keys", "at most 200");
    }

    [Theory]
    [InlineData("")]
    [InlineData("Employee-ID")]
    [InlineData("employee id")]
    [InlineData("employee_id")]
    [InlineData("ümlaut")]
    public void APatternNameThatIsNotASlug_IsRefused(string name) =>
        AssertRefused(new RedactionRules([], [new RedactionPattern(name, "x")]), "patterns[0].name", "lowercase letters, digits and dashes");

    [Fact]
    public void APatternNameOf1To64Characters_IsAccepted_Longer_IsRefused()
    {
        Assert.Empty(RedactionRulesValidator.Validate(new RedactionRules([], [new RedactionPattern("e", "x"), new RedactionPattern(new string('e', 64), "y")])));
        AssertRefused(new RedactionRules([], [new RedactionPattern(new string('e', 65), "x")]), "patterns[0].name", "1 to 64");
    }

    [Fact]
    public void TwoPatternsWithOneName_AreRefusedAtTheSecond() =>
        AssertRefused(new RedactionRules([], [new RedactionPattern("id", "a"), new RedactionPattern("id", "b")]), "patterns[1].name", "patterns[0]");

    [Theory]
    [InlineData("", "empty")]
    [InlineData("EMP-(\\d{6}", "does not compile: Invalid pattern 'EMP-(\\d{6}' at offset 10. Not enough )'s.")]
    [InlineData("[a-", "does not compile")]
    [InlineData("x*", "matches empty text")]
    [InlineData("(EMP)?", "matches empty text")]
    public void ARegexThatIsEmpty_DoesNotCompile_OrMatchesNothingAtAll_IsRefused(string regex, string says) =>
        AssertRefused(new RedactionRules([], [new RedactionPattern("employee-id", regex)]), "patterns[0].regex", says);

    [Fact]
    public void ARegexOfAtMost1000Characters_IsAccepted_Longer_IsRefused()
    {
        Assert.Empty(RedactionRulesValidator.Validate(new RedactionRules([], [new RedactionPattern("long", new string('a', 1000))])));
        AssertRefused(new RedactionRules([], [new RedactionPattern("long", new string('a', 1001))]), "patterns[0].regex", "at most 1,000");
    }

    [Fact]
    public void AtMost100Patterns()
    {
        Assert.Empty(RedactionRulesValidator.Validate(new RedactionRules([], Patterns(100))));
        AssertRefused(new RedactionRules([], Patterns(101)), "patterns", "at most 100");
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce()
    {
        var rules = new RedactionRules(["", "token", "Token"], [new RedactionPattern("Bad Name", "("), new RedactionPattern("ok", "fine")]);

        var problems = RedactionRulesValidator.Validate(rules);

        Assert.Equal(["keys[0]", "keys[2]", "patterns[0].name", "patterns[0].regex"], problems.Select(p => p.Path));
    }

    private static void AssertRefused(RedactionRules rules, string path, string says)
    {
        var problem = Assert.Single(RedactionRulesValidator.Validate(rules));
        Assert.Equal(path, problem.Path);
        Assert.Contains(says, problem.Message, StringComparison.Ordinal);
    }

    private static string[] Keys(int count) => [.. Enumerable.Range(0, count).Select(i => $"key{i}")];

    private static RedactionPattern[] Patterns(int count) => [.. Enumerable.Range(0, count).Select(i => new RedactionPattern($"p{i}", $"P{i}-\\d+"))];
}
