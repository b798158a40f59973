// Logging and resource subscriptions as the 2025-11-25 revision defines them, which the 2026-07-28 revision removed.
#pragma warning disable MCP9005

using ModelContextProtocol.Protocol;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>What the 2026-07-28 revision removed is refused to its clients in words, and still served to 2025-11-25 clients.</summary>
public sealed class RelayRevisionTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;

    // Logging and subscriptions upstream are the 2025-11-25 revision's: a server of 2026-07-28 has neither (RelayRevisionPairingsTests).
    public async ValueTask InitializeAsync() => _relay = await RelayHarness.StartAsync(resourcesAndPrompts: true, revision: UpstreamServer.SessionRevision);

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task LoggingLevelsAndSubscriptions_AreRefusedToAStatelessClient_NamingTheRevision()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"), new() { ProtocolVersion = "2026-07-28" });

        var logging = await Assert.ThrowsAsync<HttpRequestException>(async () => await client.SetLoggingLevelAsync(LoggingLevel.Info, cancellationToken: _cancel));
        var subscription = await Assert.ThrowsAsync<HttpRequestException>(async () => await client.SubscribeToResourceAsync("memo://greeting", cancellationToken: _cancel));

        Assert.Contains("'logging/setLevel' is not available on protocol version '2026-07-28'", Unescaped(logging.Message), StringComparison.Ordinal);
        Assert.Contains("'resources/subscribe' is not available on protocol version '2026-07-28'", Unescaped(subscription.Message), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoggingLevelsAndSubscriptions_StillWorkForA2025Client()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));
        await client.ListResourcesAsync(cancellationToken: _cancel);

        await client.SetLoggingLevelAsync(LoggingLevel.Info, cancellationToken: _cancel);
        await client.SubscribeToResourceAsync("memo://greeting", cancellationToken: _cancel);

        Assert.Equal("2025-11-25", client.NegotiatedProtocolVersion);
    }

    private static string Unescaped(string message) => message.Replace("\\u0027", "'", StringComparison.Ordinal);
}
