using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

public sealed class UsersApiTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private Task<HttpClient> AdminAsync() => ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

    [Fact]
    public async Task Admin_CreatesAUser_WhoCanThenSignIn_WithTheGivenRoles()
    {
        var admin = await AdminAsync();
        var email = ShieldAppFactory.NewEmail();

        var created = await admin.PostAsJsonAsync("/api/users",
            new { email, password = ShieldAppFactory.Password, roles = new[] { ShieldRoles.Reviewer }, enabled = true }, _cancel);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/users/{user.GetProperty("id").GetString()}", created.Headers.Location?.OriginalString);
        Assert.Equal([ShieldRoles.Reviewer], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(user.TryGetProperty("passwordHash", out _));
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/users", _cancel);
        Assert.Contains(list.EnumerateArray(), u => u.GetProperty("email").GetString() == email);
        await ConsoleSignIn.LoginAsync(app.CreateBrowserLikeClient(), email, ShieldAppFactory.Password);
    }

    [Fact]
    public async Task Put_ChangesRolesAndDisables_LeavingOmittedPropertiesAlone()
    {
        var admin = await AdminAsync();
        var user = await app.CreateUserAsync(ShieldAppFactory.NewEmail(), ShieldRoles.Reviewer);

        var promoted = await (await admin.PutAsJsonAsync($"/api/users/{user.Id}", new { roles = new[] { ShieldRoles.Auditor, ShieldRoles.Reviewer } }, _cancel))
            .Content.ReadFromJsonAsync<JsonElement>(_cancel);
        var disabled = await (await admin.PutAsJsonAsync($"/api/users/{user.Id}", new { enabled = false }, _cancel))
            .Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal([ShieldRoles.Auditor, ShieldRoles.Reviewer], promoted.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(2, disabled.GetProperty("roles").GetArrayLength());
    }

    [Fact]
    public async Task Put_SetsANewPassword_ThatWorksForSignIn()
    {
        var admin = await AdminAsync();
        var email = ShieldAppFactory.NewEmail();
        var user = await app.CreateUserAsync(email, ShieldRoles.Auditor);

        var changed = await admin.PutAsJsonAsync($"/api/users/{user.Id}", new { password = "N3w-Passw0rd!!" }, _cancel);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await ConsoleSignIn.LoginAsync(app.CreateBrowserLikeClient(), email, "N3w-Passw0rd!!");
    }

    [Theory]
    [InlineData("not-an-email", "Us3r-Passw0rd!x", "Shield.Reviewer", "email")]
    [InlineData("VALID", "short", "Shield.Reviewer", "password")]
    [InlineData("VALID", "Us3r-Passw0rd!x", "Shield.Superuser", "roles")]
    public async Task InvalidInput_Is400_NamingTheField(string email, string password, string role, string field)
    {
        var admin = await AdminAsync();
        email = email == "VALID" ? ShieldAppFactory.NewEmail() : email;

        var response = await admin.PostAsJsonAsync("/api/users", new { email, password, roles = new[] { role } }, _cancel);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task DuplicateEmail_Is409()
    {
        var admin = await AdminAsync();
        var email = ShieldAppFactory.NewEmail();
        await app.CreateUserAsync(email);

        var response = await admin.PostAsJsonAsync("/api/users", new { email, password = ShieldAppFactory.Password }, _cancel);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task AdminsCannotDemoteOrDisableThemselves_AndUnknownIdsAre404()
    {
        var admin = await AdminAsync();
        var me = await admin.GetFromJsonAsync<JsonElement[]>("/api/users", _cancel);
        var self = me!.Single(u => u.GetProperty("email").GetString() == ShieldAppFactory.AdminEmail).GetProperty("id").GetString();

        var demote = await admin.PutAsJsonAsync($"/api/users/{self}", new { roles = new[] { ShieldRoles.Auditor } }, _cancel);
        var disable = await admin.PutAsJsonAsync($"/api/users/{self}", new { enabled = false }, _cancel);
        var missing = await admin.PutAsJsonAsync("/api/users/no-such-id", new { enabled = false }, _cancel);

        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, disable.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
