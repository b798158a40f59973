using System.Text.Json;
using Shield.Console.Relay;

namespace Shield.Tests.Console.Relay;

/// <summary>Arguments are checked against the pinned schema; a schema that points outside itself denies every call.</summary>
public sealed class ArgumentsSchemaTests
{
    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"https://schemas.example.com/a.json"}}}""", "https://schemas.example.com/a.json")]
    [InlineData("""{"type":"object","properties":{"a":{"$ref":"other.json#/defs/a"}}}""", "other.json")]
    public void ASchemaReferringOutsideItself_IsNeverFetched_AndRefusesEveryCall(string schema, string reference)
    {
        var compiled = ArgumentsSchema.Compile(JsonDocument.Parse(schema).RootElement);

        var problem = compiled.Check(JsonDocument.Parse("""{"a":1}""").RootElement);

        Assert.NotNull(problem);
        Assert.Contains("cannot check arguments against this tool's input schema", problem, StringComparison.Ordinal);
        Assert.Contains(reference, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void APatternThatBacktracksWithoutEnd_IsCutOff_AndTheCallIsRefused()
    {
        // The process-wide limit Shield sets at start is in force here too (else this test would run for hours).
        Assert.Equal(Shield.Console.Hosting.RegexTimeout.Default, new System.Text.RegularExpressions.Regex("x").MatchTimeout);
        var compiled = ArgumentsSchema.Compile(JsonDocument.Parse("""{"type":"object","properties":{"code":{"type":"string","pattern":"^(a|aa)+$"}}}""").RootElement);

        var problem = compiled.Check(JsonDocument.Parse($$"""{"code":"{{new string('a', 60)}}b"}""").RootElement);

        Assert.NotNull(problem);
        Assert.Contains("could not check the arguments against the tool's input schema in time", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void APatternThatIsNoRegularExpression_RefusesTheCall_AndSaysWhy()
    {
        var compiled = ArgumentsSchema.Compile(JsonDocument.Parse("""{"type":"object","properties":{"code":{"type":"string","pattern":"(unclosed"}}}""").RootElement);

        var problem = compiled.Check(JsonDocument.Parse("""{"code":"x"}""").RootElement);

        Assert.NotNull(problem);
        Assert.Contains("cannot check arguments against this tool's input schema", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingArguments_AreCheckedAsAnEmptyObject()
    {
        var compiled = ArgumentsSchema.Compile(JsonDocument.Parse("""{"type":"object","required":["id"]}""").RootElement);

        Assert.Contains("id", compiled.Check(null), StringComparison.Ordinal);
        Assert.Null(ArgumentsSchema.Compile(JsonDocument.Parse("""{"type":"object"}""").RootElement).Check(null));
    }
}
