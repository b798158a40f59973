using Shield.Core.Text;

namespace Shield.Tests.Core.Text;

public sealed class CountedTests
{
    [Theory]
    [InlineData(0, "0 agents")]
    [InlineData(1, "1 agent")]
    [InlineData(2, "2 agents")]
    [InlineData(1234, "1,234 agents")]
    public void ACount_TakesTheSingularForOneOnly(long count, string expected) => Assert.Equal(expected, Counted.Of(count, "agent"));

    [Fact]
    public void AnIrregularPlural_IsGiven() => Assert.Equal("2 failed discoveries", Counted.Of(2, "failed discovery", "failed discoveries"));
}
