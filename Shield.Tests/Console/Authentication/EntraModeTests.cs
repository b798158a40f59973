using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Authentication;

/// <summary>With an <c>AzureAd</c> section, people sign in with Entra ID and scripts use Entra access tokens.</summary>
public sealed class EntraModeTests : IAsyncDisposable
{
    private readonly EntraTestIssuer _entra = new();
    private readonly ShieldAppFactory _app;
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    public EntraModeTests() => _app = new ShieldAppFactory { Settings = _entra.Settings, TestServices = _entra.ConfigureOffline };

    [Fact]
    public async Task ConsolePages_ChallengeWithEntraId()
    {
        var response = await _app.CreateBrowserLikeClient().GetAsync("/servers", _cancel);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith($"{EntraTestIssuer.Instance}{EntraTestIssuer.TenantId}/oauth2/v2.0/authorize", location, StringComparison.Ordinal);
        Assert.Contains($"client_id={EntraTestIssuer.ClientId}", location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSignInPage_SendsPeopleToEntraId()
    {
        var client = _app.CreateBrowserLikeClient();

        var signIn = await client.GetAsync("/account/login?returnUrl=%2Faudit", _cancel);
        var challenge = await client.GetAsync(signIn.Headers.Location, _cancel);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith(EntraTestIssuer.Instance, challenge.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ShieldRoles.Admin)]
    [InlineData(ShieldRoles.Auditor)]
    public async Task AccessTokens_CarryTheirAppRoles(string role)
    {
        var client = _app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _entra.AccessToken("dana@contoso.test", role));

        var me = await client.GetFromJsonAsync<JsonElement>("/api/me", _cancel);

        Assert.Equal([role], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("entra", me.GetProperty("authentication").GetString());
    }

    [Fact]
    public async Task ForeignTokens_AreRejected_AndLocalAccountApisDoNotExist()
    {
        var foreign = new EntraTestIssuer();
        var client = _app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", foreign.AccessToken("mallory@evil.test", ShieldRoles.Admin));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me", _cancel)).StatusCode);
        var admin = _app.CreateBrowserLikeClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _entra.AccessToken("dana@contoso.test", ShieldRoles.Admin));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/users", _cancel)).StatusCode);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
