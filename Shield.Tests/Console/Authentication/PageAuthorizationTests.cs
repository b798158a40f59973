using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Authentication;

/// <summary>Every console area is reachable by exactly the roles that use it, enforced on the server.</summary>
public sealed class PageAuthorizationTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    private const string Admin = ShieldRoles.Admin;
    private const string Reviewer = ShieldRoles.Reviewer;
    private const string Auditor = ShieldRoles.Auditor;

    public static TheoryData<string, string?, bool> Areas => new()
    {
        { "/", Admin, true }, { "/", Reviewer, true }, { "/", Auditor, true }, { "/", null, false },
        { "/servers", Admin, true }, { "/servers", Auditor, true }, { "/servers", Reviewer, false },
        { "/tools", Admin, true }, { "/tools", Auditor, true }, { "/tools", Reviewer, false },
        { "/agents", Admin, true }, { "/agents", Auditor, true }, { "/agents", Reviewer, false },
        { "/sessions", Admin, true }, { "/sessions", Auditor, true }, { "/sessions", Reviewer, false },
        { "/approvals", Reviewer, true }, { "/approvals", Admin, false }, { "/approvals", Auditor, false },
        { "/audit", Auditor, true }, { "/audit", Admin, true }, { "/audit", Reviewer, false },
        { "/settings", Admin, true }, { "/settings", Auditor, false }, { "/settings", Reviewer, false },
        { "/account/password", null, true },
    };

    [Theory]
    [MemberData(nameof(Areas))]
    public async Task SignedInPeople_ReachOnlyTheirAreas(string path, string? role, bool allowed)
    {
        var email = ShieldAppFactory.NewEmail();
        await app.CreateUserAsync(email, ShieldAppFactory.RolesFor(role));
        var client = await ConsoleSignIn.SignedInClientAsync(app, email, ShieldAppFactory.Password);

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

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

    [Theory]
    [InlineData("/")]
    [InlineData("/servers")]
    [InlineData("/approvals")]
    [InlineData("/settings")]
    public async Task AnonymousVisitors_AreSentToSignIn_WithTheirReturnUrl(string path)
    {
        var response = await app.CreateBrowserLikeClient().GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"https://localhost/account/login?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("/account/login")]
    [InlineData("/account/access-denied")]
    [InlineData("/not-found")]
    [InlineData("/healthz")]
    [InlineData("/healthz/ready")]
    [InlineData("/healthz/live")]
    public async Task PublicPages_NeedNoSignIn(string path) =>
        Assert.Equal(HttpStatusCode.OK, (await app.CreateBrowserLikeClient().GetAsync(path, TestContext.Current.CancellationToken)).StatusCode);

    [Fact]
    public async Task UnknownAddresses_ShowTheNotFoundPage_NotAStackTrace()
    {
        var response = await app.CreateBrowserLikeClient().GetAsync("/no/such/page", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("There is nothing at this address", body, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRoutablePage_DeclaresWhoMayOpenIt()
    {
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any());

        Assert.All(pages, page => Assert.True(
            page.GetCustomAttributes<AuthorizeAttribute>().Any() || page.GetCustomAttributes<AllowAnonymousAttribute>().Any(),
            $"{page.Name} has a route but neither [Authorize] nor [AllowAnonymous]."));
    }
}
