using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

public sealed class AuthApiTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_ReturnsABearerToken_ThatAuthenticatesApiCalls()
    {
        var email = ShieldAppFactory.NewEmail();
        await app.CreateUserAsync(email, ShieldRoles.Auditor);
        var client = app.CreateBrowserLikeClient();

        var token = await ConsoleSignIn.LoginAsync(client, email, ShieldAppFactory.Password);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());
        var me = await client.GetFromJsonAsync<JsonElement>("/api/me", _cancel);

        Assert.Equal("Bearer", token.GetProperty("tokenType").GetString());
        Assert.Equal(3600, token.GetProperty("expiresIn").GetInt32());
        Assert.Equal(email, me.GetProperty("name").GetString());
        Assert.Equal([ShieldRoles.Auditor], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("local", me.GetProperty("authentication").GetString());
    }

    [Fact]
    public async Task WrongPassword_Is401ProblemDetails_AndFiveFailuresLockTheAccount()
    {
        var email = ShieldAppFactory.NewEmail();
        await app.CreateUserAsync(email, ShieldRoles.Reviewer);

        // From two addresses: one address runs out of tries before the account locks (PasswordSignInTests).
        foreach (var address in new[] { "192.0.2.10", "192.0.2.10", "192.0.2.10", "192.0.2.11", "192.0.2.11" })
        {
            var failed = await TestClientAddress.From(app, address).PostAsJsonAsync("/api/auth/login", new { email, password = "Wrong-Passw0rd!" }, _cancel);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        }

        var locked = await TestClientAddress.From(app, "192.0.2.12").PostAsJsonAsync("/api/auth/login", new { email, password = ShieldAppFactory.Password }, _cancel);
        var problem = await locked.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingFields_Are400_AndMalformedJsonIs400()
    {
        var client = app.CreateBrowserLikeClient();

        var missing = await client.PostAsJsonAsync("/api/auth/login", new { email = "someone@shield.test" }, _cancel);
        var malformed = await client.PostAsync("/api/auth/login", new StringContent("{\"email\":", System.Text.Encoding.UTF8, "application/json"), _cancel);

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DisablingAnAccount_EndsItsTokensAtTheNextCall()
    {
        var email = ShieldAppFactory.NewEmail();
        var user = await app.CreateUserAsync(email, ShieldRoles.Auditor);
        var client = await ConsoleSignIn.ApiClientAsync(app, email, ShieldAppFactory.Password);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me", _cancel)).StatusCode);

        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var disabled = await admin.PutAsJsonAsync($"/api/users/{user.Id}", new { enabled = false }, _cancel);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);

        var after = await client.GetAsync("/api/me", _cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("Bearer", after.Headers.WwwAuthenticate.Single().Scheme);
        var again = await client.PostAsJsonAsync("/api/auth/login", new { email, password = ShieldAppFactory.Password }, _cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task Refresh_IssuesANewToken_UntilTheAccountChanges()
    {
        var email = ShieldAppFactory.NewEmail();
        var user = await app.CreateUserAsync(email, ShieldRoles.Auditor);
        var client = app.CreateBrowserLikeClient();
        var refreshToken = (await ConsoleSignIn.LoginAsync(client, email, ShieldAppFactory.Password)).GetProperty("refreshToken").GetString();

        var refreshed = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken }, _cancel);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var pair = await refreshed.Content.ReadFromJsonAsync<JsonElement>(_cancel);
        Assert.False(string.IsNullOrEmpty(pair.GetProperty("accessToken").GetString()));

        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        await admin.PutAsJsonAsync($"/api/users/{user.Id}", new { roles = new[] { ShieldRoles.Reviewer } }, _cancel);

        var stale = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = pair.GetProperty("refreshToken").GetString() }, _cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        var garbage = await client.PostAsJsonAsync("/api/auth/refresh", new { refreshToken = "not-a-token" }, _cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);
    }
}
