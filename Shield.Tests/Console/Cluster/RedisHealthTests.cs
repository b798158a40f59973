using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Cluster;

/// <summary>Redis in <c>/healthz/ready</c>: an instance whose Redis is unreachable still serves (Degraded, 200) and says what that means.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisHealthTests(PostgresServer postgres)
{
    [Fact]
    public async Task AnUnreachableRedis_LeavesTheInstanceReady_ButDegraded_AndSaysChangesArriveByPolling()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var app = new ShieldAppFactory
        {
            Postgres = postgres,
            Settings = new Dictionary<string, string?>
            {
                ["Shield:Cluster:Enabled"] = "true",
                ["Shield:Cluster:InstanceName"] = "shield-a",
                // Nothing listens there.
                ["ConnectionStrings:Redis"] = $"127.0.0.1:{ChildProcess.FreePort()},connectTimeout=200,connectRetry=0",
            },
        };

        var response = await app.CreateBrowserLikeClient().GetAsync("/healthz/ready", cancel);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("Degraded", "Degraded", "Healthy"), (body.GetProperty("status").GetString(),
            body.GetProperty("checks").GetProperty("redis").GetString(), body.GetProperty("checks").GetProperty("database").GetString()));
        Assert.Contains("each instance looks in the database", body.GetProperty("reasons").GetProperty("redis").GetString(), StringComparison.Ordinal);
    }
}
