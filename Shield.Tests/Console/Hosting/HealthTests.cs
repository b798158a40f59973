using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Hosting;

public abstract class HealthSuite
{
    protected virtual PostgresServer? Postgres => null;

    [Fact]
    public async Task Healthz_AndReady_Are200_WithTheDatabaseAndTrailChecks_AndLive_RunsNoCheck()
    {
        await using var app = new ShieldAppFactory { Postgres = Postgres };
        var client = app.CreateBrowserLikeClient();

        foreach (var path in new[] { "/healthz", "/healthz/ready" })
        {
            var (status, body) = await GetAsync(client, path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Healthy", body.GetProperty("status").GetString());
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetString());
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("audit").GetString());
        }

        var (liveStatus, live) = await GetAsync(client, "/healthz/live");
        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Empty(live.GetProperty("checks").EnumerateObject());
    }

    protected static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken));
    }
}

public sealed class HealthTests : HealthSuite
{
    [Fact]
    public async Task WhenTheDatabaseCannotBeReached_HealthzAndReadyAre503_ButLiveStays200()
    {
        await using var app = new ShieldAppFactory();
        var client = app.CreateBrowserLikeClient();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/healthz/ready")).Status);

        using (DatabaseOutage.Begin(app))
        {
            foreach (var path in new[] { "/healthz", "/healthz/ready" })
            {
                var (status, body) = await GetAsync(client, path);
                Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
                Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetString());
                Assert.DoesNotContain("Exception", body.ToString(), StringComparison.Ordinal);
            }

            Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/healthz/live")).Status);
        }
    }
}

[Collection(PostgresCollection.Name)]
public sealed class HealthOnPostgresTests(PostgresServer postgres) : HealthSuite
{
    protected override PostgresServer? Postgres => postgres;
}
