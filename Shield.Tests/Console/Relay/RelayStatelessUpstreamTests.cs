using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using Shield.Console.Relay;
using Shield.Console.Sessions;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// A client of the stateless 2026-07-28 revision sends each request on its own; its upstream session is its Shield
/// session's, opened once and kept until that session ends, not opened and closed again for every call. (The server
/// speaks the revision of sessions: one of the stateless revision is one client for all, see RelaySharingTests.)
/// </summary>
public sealed class RelayStatelessUpstreamTests : IAsyncLifetime
{
    private static readonly Dictionary<string, object?> Text = new() { ["text"] = "a" };
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RelayHarness _relay = default!;

    public async ValueTask InitializeAsync() =>
        _relay = await RelayHarness.StartAsync(new ShieldAppFactory { TestServices = s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)) },
            revision: UpstreamServer.SessionRevision);

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task ThreeCalls_GoThroughOneUpstreamSession_ThatStaysOpenBetweenThem()
    {
        var discovered = UpstreamSessions();
        var closed = 0;
        _relay.Upstream.SessionClosed += () => Interlocked.Increment(ref closed);
        await using var client = await ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        for (var i = 0; i < 3; i++)
        {
            await client.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        }

        Assert.Single(NewUpstreamSessions(discovered));
        Assert.Equal(0, closed);
    }

    [Fact]
    public async Task TwoShieldSessionsOfTheSameAgent_DoNotShareAnUpstreamSession()
    {
        var discovered = UpstreamSessions();
        await using var first = await ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        await using var second = await ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        await first.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        await second.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);

        Assert.Equal(2, NewUpstreamSessions(discovered).Count);
    }

    [Fact]
    public async Task WhenTheShieldSessionIsRevoked_ItsUpstreamSessionCloses()
    {
        var minted = await _relay.MintAsync(["crm__lookup"]);
        await using var client = await ConnectAsync(minted.GetProperty("token").GetString()!);
        await client.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _relay.Upstream.SessionClosed += () => closed.TrySetResult();

        await _relay.App.Services.GetRequiredService<SessionIssuer>().RevokeAsync(minted.GetProperty("id").GetGuid(), Registrations.Admin, _cancel);
        _time.Advance(SharedUpstream.RetireGrace);

        await closed.Task.WaitAsync(_cancel);
    }

    [Fact]
    public async Task WhenTheShieldSessionExpires_ItsUpstreamSessionCloses()
    {
        await using var client = await ConnectAsync((await _relay.MintAsync(["crm__lookup"], ttlSeconds: 60)).GetProperty("token").GetString()!);
        await client.CallToolAsync("crm__lookup", Text, cancellationToken: _cancel);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _relay.Upstream.SessionClosed += () => closed.TrySetResult();

        _time.Advance(TimeSpan.FromSeconds(61));
        _time.Advance(SharedUpstream.RetireGrace);

        await closed.Task.WaitAsync(_cancel);
    }

    // The upstream sessions seen so far (the harness's discovery opened one before the test began).
    private HashSet<string> UpstreamSessions() => [.. _relay.Upstream.Requests.Select(r => r.GetValueOrDefault("Mcp-Session-Id")).OfType<string>()];

    private List<string> NewUpstreamSessions(HashSet<string> before) => [.. UpstreamSessions().Except(before)];

    private Task<McpClient> ConnectAsync(string token) => _relay.ConnectAsync(token, new() { ProtocolVersion = "2026-07-28" });
}
