using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Grants;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Core.Grants;
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

    [Theory]
    [InlineData(ShieldRoles.Reviewer, "/approvals", true)]
    [InlineData(ShieldRoles.Reviewer, "/servers", false)]
    [InlineData(ShieldRoles.Admin, "/settings", true)]
    [InlineData(ShieldRoles.Auditor, "/settings", false)]
    public async Task PeopleSignedInWithEntraId_ReachOnlyTheAreasOfTheirAppRoles(string role, string path, bool allowed)
    {
        var client = await SignInThroughEntraAsync(path, role);

        var response = await client.GetAsync(path, _cancel);

        if (allowed)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("https://localhost/account/access-denied", response.Headers.Location?.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AForgedSignInResponse_EndsOnAPageThatSaysSo()
    {
        var client = _app.CreateBrowserLikeClient();
        var challenge = await client.GetAsync("/servers", _cancel);
        var query = System.Web.HttpUtility.ParseQueryString(challenge.Headers.Location!.Query);

        var callback = await client.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["id_token"] = new EntraTestIssuer().IdToken("mallory@evil.test", query["nonce"]!, ShieldRoles.Admin),
            ["state"] = query["state"]!,
        }), _cancel);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/account/signin-failed", callback.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/signin-failed", _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/servers", _cancel)).StatusCode);
    }

    [Fact]
    public async Task ATokenWithoutAShieldRole_IsForbiddenTheApi()
    {
        var client = _app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _entra.AccessTokenWithoutRoles("erin@contoso.test"));

        var response = await client.GetAsync("/api/me", _cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AnEntraApplicationBoundToAnAgent_MintsSessions_ButPeopleAndUnboundApplicationsDoNot()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        await _app.ApprovedToolsAsync("crm", upstream, "lookup");
        var application = Guid.NewGuid().ToString();
        await _app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("entra-bot", null, null, [], true, application), Registrations.Admin, _cancel);
        await _app.Services.GetRequiredService<GrantBook>().AddAsync(new GrantInput(SubjectKind.Agent, "entra-bot", "crm", "lookup", GrantEffect.Allow), Registrations.Admin, _cancel);

        var stranger = Guid.NewGuid().ToString();
        var bound = await MintAsync(_entra.AppToken(application, "Shield.Agent"));
        var unbound = await MintAsync(_entra.AppToken(stranger, "Shield.Agent"));
        var person = await MintAsync(_entra.AccessTokenWithoutRoles("dana@contoso.test"));

        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unbound.StatusCode);
        Assert.Contains("not bound to a Shield agent", await unbound.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, person.StatusCode);
        // Each refusal is in the trail, naming who asked.
        Assert.Equal(
        [
            ("agent", stranger, "This Entra ID application is not bound to a Shield agent."),
            ("person", "dana@contoso.test", "Sessions are minted by agents: a person's token cannot mint one."),
        ], (await _app.RecordsAsync(AuditEventTypes.SessionRefused)).Select(r => (r.ActorKind, r.ActorKind == "agent" ? r.ActorId : r.ActorName, r.Reason)));
    }

    private Task<HttpResponseMessage> MintAsync(string token)
    {
        var client = _app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client.PostAsJsonAsync("/api/sessions", new { task = "Nightly report" }, _cancel);
    }

    /// <summary>
    /// Walks the OpenID Connect round trip: the challenge to Entra ID, then Entra ID's form post of the ID token back
    /// to /signin-oidc with the state and nonce Shield issued. Returns a client holding Shield's sign-in cookie.
    /// </summary>
    private async Task<HttpClient> SignInThroughEntraAsync(string path, string role)
    {
        var client = _app.CreateBrowserLikeClient();
        var challenge = await client.GetAsync(path, _cancel);
        var query = System.Web.HttpUtility.ParseQueryString(challenge.Headers.Location!.Query);

        var callback = await client.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["id_token"] = _entra.IdToken("dana@contoso.test", query["nonce"]!, role),
            ["state"] = query["state"]!,
        }), _cancel);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal(path, callback.Headers.Location?.OriginalString);
        return client;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
