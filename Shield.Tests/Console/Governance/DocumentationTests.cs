using System.Text.RegularExpressions;
using Shield.Console.Governance;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

/// <summary>The examples in the documentation are documents Shield accepts.</summary>
public sealed partial class DocumentationTests
{
    [Fact]
    public void TheExampleInDocsGovernance_IsAValidDocument()
    {
        var markdown = File.ReadAllText(Repository.PathOf("docs", "governance.md"));
        var example = JsonBlock().Match(markdown).Groups[1].Value;

        var (document, errors) = GovernanceReader.Read(example);

        Assert.Empty(errors);
        Assert.Equal(2, document!.Servers!.Count);
        Assert.Equal(4, document.Tools!.Count);
        Assert.Single(document.Agents!);
        Assert.Equal(3, document.Grants!.Count);
        Assert.Equal(["password", "token"], document.Redaction!.Keys!);
        Assert.Equal(@"EMP-\d{6}", Assert.Single(document.Redaction.Patterns!).Regex);
    }

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
