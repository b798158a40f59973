using System.Net;
using System.Net.Http.Headers;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Authentication;

/// <summary>Every API group checks the caller's role; scripts use bearer tokens, never the console cookie.</summary>
public sealed class ApiAuthorizationTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    public static TheoryData<string, string, string?, HttpStatusCode> Calls => new()
    {
        { "GET", "/api/me", ShieldRoles.Reviewer, HttpStatusCode.OK },
        { "GET", "/api/me", null, HttpStatusCode.Forbidden },
        { "GET", "/api/users", ShieldRoles.Admin, HttpStatusCode.OK },
        { "GET", "/api/users", ShieldRoles.Auditor, HttpStatusCode.Forbidden },
        { "GET", "/api/users", ShieldRoles.Reviewer, HttpStatusCode.Forbidden },
        { "POST", "/api/users", ShieldRoles.Auditor, HttpStatusCode.Forbidden },
        { "PUT", "/api/users/any", ShieldRoles.Reviewer, HttpStatusCode.Forbidden },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task BearerCallers_GetWhatTheirRoleAllows(string method, string path, string? role, HttpStatusCode expected)
    {
        var email = ShieldAppFactory.NewEmail();
        await app.CreateUserAsync(email, ShieldAppFactory.RolesFor(role));
        var client = await ConsoleSignIn.ApiClientAsync(app, email, ShieldAppFactory.Password);

        var response = await client.SendAsync(Request(method, path), TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData("GET", "/api/me")]
    [InlineData("GET", "/api/users")]
    [InlineData("POST", "/api/users")]
    [InlineData("PUT", "/api/users/any")]
    public async Task Anonymous_AndWrongTokens_Get401ProblemDetails(string method, string path)
    {
        var anonymous = app.CreateBrowserLikeClient();
        var forged = app.CreateBrowserLikeClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "CfDJ8-not-a-real-token");

        foreach (var client in new[] { anonymous, forged })
        {
            var response = await client.SendAsync(Request(method, path), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task TheConsoleCookie_IsNotAcceptedByTheApi()
    {
        var client = await ConsoleSignIn.SignedInClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var response = await client.GetAsync("/api/users", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "GET" ? null : new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
    };
}
