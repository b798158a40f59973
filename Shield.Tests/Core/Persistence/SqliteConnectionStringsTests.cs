using Shield.Core.Persistence;

namespace Shield.Tests.Core.Persistence;

public sealed class SqliteConnectionStringsTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "shield-root");

    [Theory]
    [InlineData(null, "data/shield.db")]
    [InlineData("", "data/shield.db")]
    [InlineData("Data Source=custom/other.db", "custom/other.db")]
    public void RelativeFiles_AreResolvedAgainstTheContentRoot(string? configured, string expectedRelative)
    {
        var resolved = SqliteConnectionStrings.Resolve(configured, Root);

        Assert.Equal($"Data Source={Path.GetFullPath(Path.Combine(Root, expectedRelative))}", resolved);
        Assert.Equal(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(Root, expectedRelative))), SqliteConnectionStrings.DirectoryOf(resolved));
    }

    [Theory]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=shared;Mode=Memory;Cache=Shared")]
    public void InMemoryDatabases_AreLeftAlone(string configured) =>
        Assert.DoesNotContain(Root, SqliteConnectionStrings.Resolve(configured, Root), StringComparison.Ordinal);

    [Fact]
    public void AbsolutePaths_AreKept()
    {
        var absolute = Path.Combine(Path.GetTempPath(), "elsewhere", "shield.db");

        Assert.Equal($"Data Source={absolute}", SqliteConnectionStrings.Resolve($"Data Source={absolute}", Root));
    }
}
