using ModelContextProtocol.Protocol;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// What the relay lists and reads is cut to one session's grants: a client of the 2026-07-28 revision (or a cache on its
/// way) is told it is private and stale at once, never left to take it as public (what a result without a scope means),
/// even where the upstream said public for an hour (its resource read).
/// </summary>
public sealed class RelayCacheHintsTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;

    public async ValueTask InitializeAsync() => _relay = await RelayHarness.StartAsync(resourcesAndPrompts: true);

    public async ValueTask DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task EveryListAndRead_IsMarkedPrivateAndStale_ForAStatelessClient()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"), new() { ProtocolVersion = "2026-07-28" });

        ICacheableResult[] results =
        [
            await client.ListToolsAsync(new ListToolsRequestParams(), _cancel),
            await client.ListPromptsAsync(new ListPromptsRequestParams(), _cancel),
            await client.ListResourcesAsync(new ListResourcesRequestParams(), _cancel),
            await client.ListResourceTemplatesAsync(new ListResourceTemplatesRequestParams(), _cancel),
            await client.ReadResourceAsync(new ReadResourceRequestParams { Uri = "memo://greeting" }, _cancel),
        ];

        Assert.All(results, r => Assert.Equal((CacheScope.Private, TimeSpan.Zero), (r.CacheScope, r.TimeToLive)));
    }
}
