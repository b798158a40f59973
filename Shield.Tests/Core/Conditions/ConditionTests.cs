using System.Text.Json;
using Shield.Core.Conditions;

namespace Shield.Tests.Core.Conditions;

/// <summary>The condition language, as a table: what parses, what each expression comes to, and what is refused and where.</summary>
public sealed class ConditionTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "amount": { "type": "number" },
            "count": { "type": "integer" },
            "currency": { "type": "string", "enum": ["EUR", "USD"] },
            "to": { "type": "string" },
            "urgent": { "type": "boolean" },
            "tags": { "type": "array", "items": { "type": "string" } },
            "order": { "type": "object", "properties": { "total": { "type": "number" } } },
            "note": { "type": ["string", "null"] },
            "api_key": { "type": "string" }
          },
          "required": ["amount"]
        }
        """).RootElement;

    private static ConditionInput Call(string arguments) => new(
        JsonDocument.Parse(arguments).RootElement, "refund-bot", ["finance-bots"], "payments", "refund", "high", "refund order 42", ["payments__refund"], 90, new DateTime(2026, 12, 7, 9, 30, 0, DateTimeKind.Utc));

    private const string Refund = """{"amount": 720, "count": 3, "currency": "EUR", "to": "ana@example.com", "urgent": false, "tags": ["vip", "eu"], "order": {"total": 720}}""";

    public static TheoryData<string, bool> Holds() => new()
    {
        { "args.amount <= 500", false },
        { "args.amount > 500", true },
        { "args.amount == 720.0", true },
        { "args.count * 2 == 6 && args.count % 2 == 1", true },
        { "args.amount - 20 >= 700 || false", true },
        { "args.currency == 'EUR'", true },
        { "args.currency in ['EUR', 'USD']", true },
        { "args.currency != \"EUR\"", false },
        { "args.to.endsWith('@example.com')", true },
        { "args.to.startsWith('ana') && args.to.contains('@')", true },
        { "args.to.matches('^[a-z]+@example[.]com$')", true },
        { "!args.urgent", true },
        { "'vip' in args.tags && size(args.tags) == 2 && args.tags[0] == 'vip'", true },
        { "args.tags.size() > 5", false },
        { "args.order.total > 700", true },
        { "args['order']['total'] > 700", true },
        { "has(args.note)", false },
        { "has(args.note) && args.note == 'x'", false },
        { "args.amount > 1000 ? true : args.currency == 'EUR'", true },
        { "-args.amount < 0", true },
        { "'total' in args.order", true },
        { "agent.name == 'refund-bot' && 'finance-bots' in agent.roles", true },
        { "tool.server == 'payments' && tool.name == 'refund' && tool.risk == 'high'", true },
        { "session.task.contains('order') && session.age < 3600 && 'payments__refund' in session.tools", true },
        { "args.to + '!' == 'ana@example.com!'", true },
    };

    [Theory]
    [MemberData(nameof(Holds))]
    public void Evaluates_AsCelDoes(string text, bool expected)
    {
        var (condition, problems) = Condition.Compile(text, Schema);

        Assert.Empty(problems);
        var outcome = condition!.Evaluate(Call(Refund));
        Assert.Null(outcome.Error);
        Assert.Equal(expected, outcome.Holds);
    }

    public static TheoryData<string, string, string> Errors() => new()
    {
        { "args.note == 'x'", "{}", "args.note is missing" },
        { "args.amount <= 500", "{}", "args.amount is missing" },
        { "args.amount <= 500", """{"amount": "720"}""", "args.amount was '720' and 500 was 500" },
        { "args.amount / args.count > 1", """{"amount": 1, "count": 0}""", "divides by zero" },
        { "args.tags[5] == 'x'", """{"tags": []}""", "args.tags has no item 5" },
        { "args.order.total > 1", """{"order": 3}""", "args.order was 3, not an object" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void AMissingOrMistypedValue_IsAnError_NeverFalse(string text, string arguments, string message)
    {
        var (condition, _) = Condition.Compile(text, Schema);

        var outcome = condition!.Evaluate(Call(arguments));

        Assert.False(outcome.Holds);
        Assert.Contains(message, outcome.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string, int, string> Refused() => new()
    {
        { "args.amout <= 500", 0, "args.amout is not an argument of this tool: its input schema declares no 'amout' (it declares amount, count" },
        { "args.amount <= '500'", 0, "args.amount (a number) is compared with '500' (a string)" },
        { "args.currency > 3", 0, "args.currency (a string) is compared with 3 (a number)" },
        { "args.urgent && args.amount", 15, "'&&' joins booleans, but args.amount is a number" },
        { "args.tags.startsWith('v')", 0, "startsWith() works on strings, but args.tags (a list of strings)" },
        { "3 in args.tags", 0, "'in' looks for 3 (a number) in args.tags (a list of strings)" },
        { "args.order.totl > 1", 0, "args.order.totl is not an argument of this tool" },
        { "args.amount", 0, "must be true or false, but this one is a number" },
        { "user.name == 'x'", 0, "Unknown name 'user': conditions read args, agent, session, tool and now" },
        { "agent.team == 'x'", 0, "agent has no field 'team': it has agent.name, agent.roles" },
        { "agent == 'x'", 0, "agent is not a value by itself" },
        { "args.amount <= ", 15, "The condition ends too soon" },
        { "args.amount = 5", 12, "Unexpected '='" },
        { "args.to.matches('[')", 16, "not a regular expression" },
        { "args.to.lower() == 'x'", 0, "Unknown function lower()" },
        { "'abc", 0, "The string is not closed" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void AConditionThatDoesNotFitTheSchema_IsRefused_WithWhereAndWhy(string text, int position, string message)
    {
        var (condition, problems) = Condition.Compile(text, Schema);

        Assert.Null(condition);
        var problem = Assert.Single(problems);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal(position, problem.Position);
    }

    [Fact]
    public void WithoutASchema_OnlyTheVariablesAreChecked_AndArgumentsAreCheckedAsItRuns()
    {
        var (condition, problems) = Condition.Compile("args.anything > 3");

        Assert.Empty(problems);
        Assert.Contains("args.anything is missing", condition!.Evaluate(Call("{}")).Error, StringComparison.Ordinal);
        Assert.True(condition.Evaluate(Call("""{"anything": 4}""")).Holds);
    }

    [Fact]
    public void Explain_NamesWhatWasRead_ClipsStrings_AndWithholdsSecrets()
    {
        var (condition, _) = Condition.Compile("args.amount <= 500 && args.to.size() < 5 && args.api_key != '' && args.order.total > 0", Schema);

        var read = condition!.Explain(Call("""{"amount": 720, "to": "a-very-long-address-that-goes-on-and-on@example.com", "api_key": "sk-live-123", "order": {"total": 1}}"""));

        Assert.Equal("args.amount was 720, args.to was 'a-very-long-address-that-goes-o…', args.api_key was withheld (it may be a secret)", read);
    }

    [Fact]
    public void NoArguments_ReadAsAnEmptyObject()
    {
        var (condition, _) = Condition.Compile("!has(args.note)", Schema);

        Assert.True(condition!.Evaluate(Call("{}") with { Arguments = null }).Holds);
    }

    [Fact]
    public void ATooLongOrTooDeepCondition_IsRefused()
    {
        Assert.Contains("at most 1,000 characters", Condition.Compile(new string(' ', 1001) + "true").Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("nests more than 32 levels", Condition.Compile(new string('(', 40) + "true" + new string(')', 40)).Problems[0].Message, StringComparison.Ordinal);
    }
}
