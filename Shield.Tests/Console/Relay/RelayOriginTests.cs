using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// The MCP transport's Origin rule: a browser request to <c>/mcp</c> from a page that is neither Shield's own nor an
/// allowed origin is refused with 403 before its credential is read; clients that send no Origin are unaffected.
/// </summary>
public sealed class RelayOriginTests(RelayOriginTests.Fixture app) : IClassFixture<RelayOriginTests.Fixture>
{
    private const string Initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    public sealed class Fixture : IAsyncDisposable
    {
        public ShieldAppFactory App { get; } = new()
        {
            Settings = new Dictionary<string, string?> { ["Shield:Relay:AllowedOrigins:0"] = "https://agents.example.com:8443" },
        };

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("http://localhost")] // Shield's own host, but not its scheme
    [InlineData("https://agents.example.com")] // the allowed host on another port
    [InlineData("null")]
    [InlineData("not an origin")]
    public async Task AForeignOrigin_Is403WithAJsonRpcError_WhateverTheCredential(string origin)
    {
        var response = await PostAsync([origin]);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("id").ValueKind);
        Assert.Contains($"'{origin}' are refused", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("Shield:Relay:AllowedOrigins", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralOrigins_AreRefused()
    {
        var response = await PostAsync(["https://localhost", "https://evil.example"]);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData(null)] // an MCP client outside a browser
    [InlineData("https://localhost")] // Shield's own pages
    [InlineData("HTTPS://LOCALHOST:443")]
    [InlineData("https://agents.example.com:8443")] // configured
    public async Task NoOriginOrAnAllowedOne_GoesOnToAuthentication(string? origin)
    {
        var response = await PostAsync(origin is null ? [] : [origin]);

        // The bogus token is what refuses it now: the origin passed.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("The session token is not valid", await response.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostAsync(string[] origins)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(Initialize, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        request.Headers.Authorization = new("Bearer", "shs_" + new string('x', 43));
        foreach (var origin in origins)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return await app.App.CreateBrowserLikeClient().SendAsync(request, _cancel);
    }
}
