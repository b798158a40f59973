using Shield.Console.Cluster;

namespace Shield.Tests.Console.Cluster;

/// <summary>What travels between instances: a kind and an id, nothing else; anything else on the channel is ignored.</summary>
public sealed class ClusterSignalTests
{
    [Fact]
    public void ASignal_ReadsBackAsWritten_WithItsSender()
    {
        var id = Guid.NewGuid();

        Assert.Equal(("a1", ClusterSignal.Approval(id)), ClusterSignal.Read(ClusterSignal.Approval(id).Write("a1")));
        Assert.Equal(("a1", ClusterSignal.Governance), ClusterSignal.Read(ClusterSignal.Governance.Write("a1")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"From":"a1","Kind":"Approval"}""")] // an approval signal names its request
    [InlineData("""{"From":"a1","Kind":"Shutdown"}""")] // a kind of a later version
    [InlineData("""{"From":"a1","Kind":"7"}""")]
    [InlineData("""{"Kind":"Governance"}""")]
    public void AnythingElse_IsNoSignal(string? message) => Assert.Null(ClusterSignal.Read(message));
}
