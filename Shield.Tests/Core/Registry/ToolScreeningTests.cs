using Shield.Core.Registry;
using static Shield.Tests.Core.Registry.ToolDefinitionTests;

namespace Shield.Tests.Core.Registry;

public sealed class ToolScreeningTests
{
    private static readonly ToolLimits Limits = new(MaxDescriptionLength: 100, MaxDefinitionLength: 500);

    [Fact]
    public void BadNames_Duplicates_AndOversizedTools_AreRejected_OthersKept()
    {
        var (accepted, rejected) = ToolScreening.Screen(
        [
            Tool("good"),
            Tool("also.good-1_x"),
            Tool("has space"),
            Tool("emoji_😀"),
            Tool(new string('n', 129)),
            Tool("twin", "first"),
            Tool("twin", "second"),
            Tool("wordy", new string('w', 101)),
            Tool("huge", "x", "{\"type\":\"object\",\"description\":\"" + new string('s', 500) + "\"}"),
        ], Limits);

        Assert.Equal(["good", "also.good-1_x"], accepted.Select(t => t.Name));
        Assert.Equal(["has space", "emoji_😀", new string('n', 128) + "…", "twin", "wordy", "huge"], rejected.Select(r => r.Name));
        Assert.Contains("more than one tool", rejected.Single(r => r.Name == "twin").Reason, StringComparison.Ordinal);
        Assert.Contains("101 characters; the limit is 100", rejected.Single(r => r.Name == "wordy").Reason, StringComparison.Ordinal);
    }
}
