using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Client;
using Shield.Console.Sessions;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>Only a live session token opens <c>/mcp</c>; every refusal says why and points to the resource metadata.</summary>
public sealed class RelayAuthenticationTests : IAsyncLifetime
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RelayHarness _relay = default!;
    private HttpClient _http = default!;

    public async ValueTask InitializeAsync()
    {
        // Revoking a session closes its upstream sessions: the server speaks the revision that has them.
        _relay = await RelayHarness.StartAsync(new ShieldAppFactory { TestServices = s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)) },
            revision: UpstreamServer.SessionRevision);
        _http = new HttpClient { BaseAddress = new Uri(_relay.Root) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _relay.DisposeAsync();
    }

    [Theory]
    [InlineData(null, "Send the session token as Authorization: Bearer shs_")]
    [InlineData("shs_not-a-real-token-at-all-000000000000000000", "not valid")]
    [InlineData("agent-key", "An agent key cannot call tools")]
    public async Task WithoutALiveSessionToken_TheAnswerIs401_PointingToTheResourceMetadata(string? token, string reason)
    {
        var response = await PostAsync(Initialize, token == "agent-key" ? _relay.AgentKey : token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith($"Bearer resource_metadata=\"{_relay.Root}/.well-known/oauth-protected-resource\"", challenge, StringComparison.Ordinal);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheProtectedResourceMetadata_NamesTheMcpEndpoint_AndTheHeaderAsTheOnlyWayToSendAToken()
    {
        foreach (var path in new[] { "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp" })
        {
            var metadata = await _http.GetFromJsonAsync<JsonElement>(path, _cancel);

            Assert.Equal(_relay.McpUrl, metadata.GetProperty("resource").GetString());
            Assert.Equal(["header"], metadata.GetProperty("bearer_methods_supported").EnumerateArray().Select(m => m.GetString()));
        }
    }

    [Fact]
    public async Task ATokenInTheQueryString_IsRefused_EvenAlongsideAValidHeader()
    {
        var token = await _relay.TokenAsync();

        var response = await PostAsync(Initialize, token, "/mcp?access_token=" + token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("Tokens in the URL are refused", await response.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnMcpSessionId_PresentedWithAnotherSessionsToken_IsRefused()
    {
        await using var first = await _relay.ConnectAsync(await _relay.TokenAsync());
        var other = await _relay.TokenAsync();

        var response = await PostAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}""", other, sessionId: first.SessionId);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Single(await first.ListToolsAsync(cancellationToken: _cancel), t => t.Name == "crm__lookup");
    }

    [Fact]
    public async Task ASessionThatExpiresOrIsRevoked_IsCutOffAtItsNextRequest()
    {
        var expiring = await _relay.MintAsync(ttlSeconds: 60);
        var revoked = await _relay.MintAsync();
        await using var expiringClient = await _relay.ConnectAsync(expiring.GetProperty("token").GetString()!);
        await using var revokedClient = await _relay.ConnectAsync(revoked.GetProperty("token").GetString()!);
        Assert.NotEmpty(await expiringClient.ListToolsAsync(cancellationToken: _cancel));
        Assert.NotEmpty(await revokedClient.ListToolsAsync(cancellationToken: _cancel));

        _time.Advance(TimeSpan.FromSeconds(61));
        await _relay.App.Services.GetRequiredService<SessionIssuer>().RevokeAsync(revoked.GetProperty("id").GetGuid(), Registrations.Admin, _cancel);

        await AssertCutOffAsync(expiringClient);
        await AssertCutOffAsync(revokedClient);
    }

    [Fact]
    public async Task WhenASessionExpires_ItsUpstreamSessionsAreClosed()
    {
        await using var client = await _relay.ConnectAsync((await _relay.MintAsync(["crm__lookup"], ttlSeconds: 60)).GetProperty("token").GetString()!);
        await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: _cancel);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _relay.Upstream.SessionClosed += () => closed.TrySetResult();

        _time.Advance(TimeSpan.FromSeconds(61));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), _cancel);
    }

    [Fact]
    public async Task WhenASessionIsRevoked_ItsUpstreamSessionsAreClosedAtOnce()
    {
        var minted = await _relay.MintAsync(["crm__lookup"]);
        await using var client = await _relay.ConnectAsync(minted.GetProperty("token").GetString()!);
        await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: _cancel);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _relay.Upstream.SessionClosed += () => closed.TrySetResult();

        await _relay.App.Services.GetRequiredService<SessionIssuer>().RevokeAsync(minted.GetProperty("id").GetGuid(), Registrations.Admin, _cancel);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), _cancel);
    }

    private async Task AssertCutOffAsync(McpClient client)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await client.CallToolAsync("crm__lookup", new Dictionary<string, object?> { ["text"] = "x" }, cancellationToken: _cancel));
        Assert.Contains("401", error.ToString(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string? token, string path = "/mcp", string? sessionId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (sessionId is not null)
        {
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", "2025-11-25");
        }

        return await _http.SendAsync(request, _cancel);
    }
}
