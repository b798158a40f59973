using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using Shield.Console.Grants;
using Shield.Core.Grants;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// <c>server/discover</c> (2026-07-28) answers with what the asking session may use now: "crm" offers tools only,
/// "docs" resources and prompts too; a session holding a tool of "docs" it may call sees them, one that does not (or
/// no longer may) does not. It is authenticated as every other request.
/// </summary>
public sealed class RelayDiscoveryTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;
    private UpstreamServer _docs = default!;

    public async ValueTask InitializeAsync()
    {
        _relay = await RelayHarness.StartAsync();
        _docs = await UpstreamServer.StartAsync(resourcesAndPrompts: true);
        await _relay.App.ApprovedToolsAsync("docs", _docs, "search");
        await _relay.App.LowRiskAsync("docs");
        await Grants.AddAsync(new GrantInput(SubjectKind.Agent, "invoice-bot", "docs", "search", GrantEffect.Allow), Registrations.Admin, _cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _docs.DisposeAsync();
    }

    private GrantBook Grants => _relay.App.Services.GetRequiredService<GrantBook>();

    [Fact]
    public async Task ASessionGrantedOnlyTools_DiscoversToolsAlone_PrivateAndStale()
    {
        using var agent = StatelessMcp.Agent(_relay.Root, await _relay.TokenAsync("crm__lookup"));

        var (status, message) = await StatelessMcp.SendAsync(agent, "server/discover", name: null);

        Assert.Equal(HttpStatusCode.OK, status);
        var result = message!["result"]!;
        Assert.Equal(["tools"], result["capabilities"]!.AsObject().Select(c => c.Key));
        Assert.Equal(("private", 0), (result["cacheScope"]!.GetValue<string>(), result["ttlMs"]!.GetValue<int>()));
        Assert.Contains("2026-07-28", result["supportedVersions"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task TheCSharpSdkClient_SeesResourcesAndPrompts_WhileItsSessionMayUseAServerThatOffersThem_AndNotOnceAGrantTakesThatAway()
    {
        var token = await _relay.TokenAsync("crm__lookup", "docs__search");
        await using (var before = await _relay.ConnectAsync(token, new McpClientOptions { ProtocolVersion = StatelessMcp.Revision }))
        {
            var offered = before.ServerCapabilities;
            Assert.NotNull(offered.Tools);
            Assert.NotNull(offered.Prompts);
            Assert.NotNull(offered.Completions);
            // A stateless client has no resource subscriptions on the relay: none is offered.
            Assert.Null(Assert.IsType<ModelContextProtocol.Protocol.ResourcesCapability>(offered.Resources).Subscribe);
        }

        var grant = (await Grants.ListAsync(_cancel)).Single(g => g.Server == "docs");
        Assert.Null((await Grants.ChangeEffectAsync(grant.Id, GrantEffect.Deny, Registrations.Admin, _cancel)).Refusal);
        await using var after = await _relay.ConnectAsync(token, new McpClientOptions { ProtocolVersion = StatelessMcp.Revision });

        Assert.NotNull(after.ServerCapabilities.Tools);
        Assert.Null(after.ServerCapabilities.Resources);
        Assert.Null(after.ServerCapabilities.Prompts);
        Assert.Null(after.ServerCapabilities.Completions);
    }

    [Fact]
    public async Task A2025ClientOfTheSameSession_IsStillToldEverythingAtInitialize_ForItHearsOfChanges()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync("crm__lookup"));

        Assert.NotNull(client.ServerCapabilities.Resources);
        Assert.True(client.ServerCapabilities.Tools!.ListChanged);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("shs_not-a-session")]
    public async Task DiscoverWithoutAValidSessionToken_IsRefusedAsEveryOtherRequest(string? token)
    {
        using var agent = StatelessMcp.Agent(_relay.Root, token);

        var (status, message) = await StatelessMcp.SendAsync(agent, "server/discover", name: null);

        Assert.Equal((HttpStatusCode.Unauthorized, null), (status, message));
    }
}
