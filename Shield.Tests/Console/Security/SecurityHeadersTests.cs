using System.Net;
using System.Net.Http.Json;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Security;

public sealed class SecurityHeadersTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    [Theory]
    [InlineData("/account/login")]
    [InlineData("/api/me")]
    [InlineData("/healthz")]
    public async Task EveryResponse_ForbidsFramingSniffingAndForeignScripts(string path)
    {
        var response = await app.CreateBrowserLikeClient().GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", csp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInCookies_AreHttpOnlyStrictAndSecure()
    {
        var client = app.CreateBrowserLikeClient();

        var page = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);
        var signedIn = await ConsoleSignIn.PostFormAsync(client, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var cookies = page.Headers.GetValues("Set-Cookie").Concat(signedIn.Headers.GetValues("Set-Cookie")).ToList();
        Assert.Contains(cookies, c => c.StartsWith("shield.antiforgery=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("shield.auth=", StringComparison.Ordinal));
        Assert.All(cookies.Where(c => c.StartsWith("shield.", StringComparison.Ordinal)), cookie =>
        {
            Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        });
    }

    [Fact]
    public async Task OutsideDevelopment_HstsIsSent_AndPlainHttpIsRefusedExceptForHealthProbes()
    {
        // HSTS is never sent to localhost, so this instance answers to a real host name.
        await using var production = new ShieldAppFactory
        {
            Environment = "Production",
            Settings = new Dictionary<string, string?> { ["AllowedHosts"] = "shield.example" },
        };
        var https = production.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://shield.example") });
        var http = production.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("http://shield.example") });
        var cancel = TestContext.Current.CancellationToken;

        var secured = await https.GetAsync("/account/login", cancel);
        var plainPage = await http.GetAsync("/account/login", cancel);
        var plainLogin = await http.PostAsync("/api/auth/login", JsonContent.Create(new { email = ShieldAppFactory.AdminEmail, password = ShieldAppFactory.AdminPassword }), cancel);
        var probes = await Task.WhenAll(new[] { "/healthz", "/healthz/ready", "/healthz/live" }.Select(path => http.GetAsync(path, cancel)));

        Assert.Equal(HttpStatusCode.OK, secured.StatusCode);
        Assert.StartsWith("max-age=", secured.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Assert.Contains("secure", secured.Headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.BadRequest, plainPage.StatusCode);
        Assert.Contains("ASPNETCORE_FORWARDEDHEADERS_ENABLED", await plainPage.Content.ReadAsStringAsync(cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, plainLogin.StatusCode);
        Assert.All(probes, probe => Assert.Equal(HttpStatusCode.OK, probe.StatusCode));
    }

    [Fact]
    public async Task InProduction_PagesCarryThePolicy_AndFailuresStayProblemDetailsWithHeadersAndNoStackTrace()
    {
        await using var production = new ShieldAppFactory
        {
            Environment = "Production",
            Settings = new Dictionary<string, string?> { ["AllowedHosts"] = "shield.example" },
        };
        var client = production.CreateClient(new() { AllowAutoRedirect = false, BaseAddress = new Uri("https://shield.example") });
        var cancel = TestContext.Current.CancellationToken;
        var token = (await ConsoleSignIn.LoginAsync(client, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword)).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var page = await client.GetAsync("/account/login", cancel);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        using (DatabaseOutage.Begin(production))
        {
            var failed = await client.GetAsync("/api/users", cancel);
            var body = await failed.Content.ReadAsStringAsync(cancel);

            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Nothing was changed", body, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
            Assert.Equal("DENY", failed.Headers.GetValues("X-Frame-Options").Single());
            Assert.Contains("frame-ancestors 'none'", failed.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AFailingPage_ShowsTheErrorPage_WithHeaders_EvenInDevelopment()
    {
        var client = await ConsoleSignIn.SignedInClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        using (DatabaseOutage.Begin(app))
        {
            var failed = await client.GetAsync("/settings", TestContext.Current.CancellationToken);
            var body = await failed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Contains("Something went wrong", body, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
            Assert.Equal("DENY", failed.Headers.GetValues("X-Frame-Options").Single());
        }
    }
}
