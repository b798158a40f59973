using System.Text.Json;
using Shield.Core.Redaction;

namespace Shield.Tests.Core.Redaction;

/// <summary>The current redactor: built-in detectors until rules arrive, then the rules as a whole, never half a set.</summary>
public sealed class RedactorStoreTests
{
    [Fact]
    public void ItStartsWithTheBuiltInDetectorsOnly()
    {
        var store = new RedactorStore();

        Assert.Same(Redactor.Default, store.Current);
    }

    [Fact]
    public void Replacing_MakesTheNewRulesCurrent()
    {
        var store = new RedactorStore();

        store.Replace(new RedactionRules(["patient"], [new RedactionPattern("employee-id", @"EMP-\d{6}")]));

        Assert.Equal("""{"patient":"[REDACTED:secret]","note":"[REDACTED:employee-id]"}""", Redact(store, """{"patient":"Ada","note":"EMP-123456"}"""));
    }

    [Fact]
    public void InvalidRules_AreRefused_AndThePreviousOnesStay()
    {
        var store = new RedactorStore();
        store.Replace(new RedactionRules(["patient"], []));
        var before = store.Current;

        var refused = Assert.Throws<ArgumentException>(() => store.Replace(new RedactionRules(["ward"], [new RedactionPattern("broken", "(")])));

        Assert.Contains("patterns[0].regex", refused.Message, StringComparison.Ordinal);
        Assert.Same(before, store.Current);
        Assert.Equal("""{"patient":"[REDACTED:secret]","ward":"B"}""", Redact(store, """{"patient":"Ada","ward":"B"}"""));
    }

    [Fact]
    public void RuleSets_AreEqual_WhenTheyHoldTheSameRulesInTheSameOrder()
    {
        var rules = new RedactionRules(["a", "b"], [new RedactionPattern("x", "X+")]);

        Assert.Equal(rules, new RedactionRules(["a", "b"], [new RedactionPattern("x", "X+")]));
        Assert.NotEqual(rules, new RedactionRules(["b", "a"], [new RedactionPattern("x", "X+")]));
        Assert.NotEqual(rules, new RedactionRules(["a", "b"], [new RedactionPattern("x", "X*X")]));
    }

    private static string? Redact(RedactorStore store, string json) => store.Current.Redact(JsonDocument.Parse(json).RootElement);
}
