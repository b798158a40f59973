using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_Is200_WithTheDatabaseCheck()
    {
        await using var app = new ShieldAppFactory();

        var response = await app.CreateBrowserLikeClient().GetAsync("/healthz", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetString());
    }

    [Fact]
    public async Task Healthz_Is503_WhenTheDatabaseCannotBeReached()
    {
        await using var app = new ShieldAppFactory();
        var client = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz", TestContext.Current.CancellationToken)).StatusCode);

        using (DatabaseOutage.Begin(app))
        {
            var response = await client.GetAsync("/healthz", TestContext.Current.CancellationToken);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetString());
            Assert.DoesNotContain("Exception", body.ToString(), StringComparison.Ordinal);
        }
    }
}
