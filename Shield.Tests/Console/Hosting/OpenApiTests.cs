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
    public async Task TheReferencePage_IsServedInDevelopment()
    {
        var response = await app.CreateClient().GetAsync("/scalar", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
