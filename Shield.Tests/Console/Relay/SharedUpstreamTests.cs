using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using Shield.Console.Relay;

namespace Shield.Tests.Console.Relay;

/// <summary>A replaced shared upstream session takes no new requests, and closes once its grace is over and its last request has ended.</summary>
public sealed class SharedUpstreamTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Retired_WithNothingInFlight_ClosesWhenItsGraceIsOver_AndNotBefore()
    {
        var shared = Shared();

        shared.Retire(_time);
        Assert.False(shared.IsUsable);
        _time.Advance(SharedUpstream.RetireGrace - TimeSpan.FromSeconds(1));
        Assert.False(shared.IsClosed);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(shared.IsClosed);
        Assert.True(shared.Closed.IsCompleted);
    }

    [Fact]
    public void Retired_WithARequestInFlight_StaysOpenPastItsGrace_UntilThatRequestEnds()
    {
        var shared = Shared();
        var hop = shared.Onward(null, null!);

        shared.Retire(_time);
        _time.Advance(SharedUpstream.RetireGrace);
        Assert.False(shared.IsClosed);
        hop.Dispose();

        Assert.True(shared.IsClosed);
    }

    [Fact]
    public void ARequestEndingWithinTheGrace_DoesNotCloseIt_TheGraceStillHolds()
    {
        var shared = Shared();
        var hop = shared.Onward(null, null!);
        shared.Retire(_time);

        hop.Dispose();

        Assert.False(shared.IsClosed);
        _time.Advance(SharedUpstream.RetireGrace);
        Assert.True(shared.IsClosed);
    }

    [Fact]
    public async Task ClosedNow_ClosesWhateverIsInFlight_AndALaterGraceChangesNothing()
    {
        var shared = Shared();
        var hop = shared.Onward(null, null!);
        shared.Retire(_time);

        await shared.CloseAsync();
        _time.Advance(SharedUpstream.RetireGrace);
        hop.Dispose();

        Assert.True(shared.IsClosed);
        Assert.True(shared.Closed.IsCompleted);
    }

    [Fact]
    public void AnOpenSession_NeverOpenedYet_IsUsable()
    {
        Assert.True(Shared().IsUsable);
    }

    // An upstream session not opened yet: closing it has nothing to dispose.
    private static SharedUpstream Shared() =>
        new("crm", (Guid.NewGuid(), DateTime.UtcNow)) { Client = new Lazy<Task<McpClient>>(() => throw new InvalidOperationException("not opened in these tests")) };
}
