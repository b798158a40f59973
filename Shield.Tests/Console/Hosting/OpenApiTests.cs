using System.Net.Http.Json;
using System.Text.Json;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Hosting;

public sealed class OpenApiTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    [Fact]
    public async Task TheDocument_DescribesTheApi_AndNothingElse()
    {
        var document = await app.CreateBrowserLikeClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/auth/login", paths);
        Assert.Contains("/api/users", paths);
        Assert.Contains("/api/users/{id}", paths);
        Assert.Contains("/api/me", paths);
        Assert.All(paths, path => Assert.StartsWith("/api/", path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enums_AreDescribedAsTheirNames()
    {
        var document = await app.CreateBrowserLikeClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json", TestContext.Current.CancellationToken);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        string[] Names(string schema) => [.. schemas.GetProperty(schema).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)];

        Assert.Equal(["pending", "approved", "blocked", "quarantined", "removed"], Names("ToolState"));
        Assert.Equal(["low", "medium", "high", "critical"], Names("RiskLevel"));
        Assert.Equal(["http", "stdio"], Names("ServerTransport"));
        Assert.Equal(["pending", "approved", "denied", "expired", "withdrawn"], Names("ApprovalStatus"));
        Assert.Equal("string", schemas.GetProperty("RiskLevel").GetProperty("type").GetString());
    }

    [Fact]
    public async Task TheReferencePage_IsServedInDevelopment()
    {
        var response = await app.CreateClient().GetAsync("/scalar", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
