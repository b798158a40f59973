using System.Text.Json;
using Shield.Core.Grants;

namespace Shield.Tests.Core.Grants;

/// <summary>The one check of a grant's condition that every writer runs, on the cases the writers' tests do not reach.</summary>
public sealed class GrantConditionsTests
{
    private static readonly GrantTarget Refund = new("refund", JsonDocument.Parse("""{"type":"object","properties":{"amount":{"type":"number"}}}""").RootElement);
    private static readonly GrantTarget Notify = new("notify", JsonDocument.Parse("""{"type":"object","properties":{"to":{"type":"string"}}}""").RootElement);

    [Fact]
    public void NoCondition_IsNoProblem() => Assert.Empty(GrantConditions.Check(null, "payments", "refund", [Refund], "$.grants[0].when"));

    [Fact]
    public void AnEmptyCondition_IsRefused_AtItsPath()
    {
        var problem = Assert.Single(GrantConditions.Check(" ", "payments", "refund", [Refund], "$.grants[2].when"));

        Assert.Equal("$.grants[2].when", problem.Path);
        Assert.StartsWith("The condition is empty", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnStar_ItIsEnoughToFitOneTool()
    {
        Assert.Empty(GrantConditions.Check("args.to.endsWith('@example.com')", "payments", Grant.AllTools, [Refund, Notify], "when"));
        Assert.StartsWith("The condition fits no tool of payments",
            Assert.Single(GrantConditions.Check("args.iban == 'x'", "payments", Grant.AllTools, [Refund, Notify], "when")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AToolNotDiscoveredYet_IsCheckedForSyntaxAndVariablesOnly()
    {
        Assert.Empty(GrantConditions.Check("args.anything > 3", "payments", "refund", [new GrantTarget("refund", null)], "when"));
        Assert.Contains("Unknown name 'user'",
            Assert.Single(GrantConditions.Check("user.name == 'x'", "payments", "refund", [new GrantTarget("refund", null)], "when")).Message, StringComparison.Ordinal);
    }
}
