using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Approvals;
using Shield.Console.Cluster;
using Shield.Tests.Infrastructure;
using StackExchange.Redis;

namespace Shield.Tests.Console.Cluster;

/// <summary>An instance whose Redis is unreachable still serves (ready, Degraded) and says what that means; once Redis answers, signals flow.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RedisOutageTests(PostgresServer postgres)
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60); // a guard against a hang, not a measurement

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

    [Fact]
    public async Task ARedisThatAnswersOnlyAfterTheStart_CarriesSignalsOnceItDoes()
    {
        var cancel = TestContext.Current.CancellationToken;
        var port = ChildProcess.FreePort();
        // A clock that stands still: after its first look at start, the instance looks in the database only when signalled.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new ShieldAppFactory
        {
            Postgres = postgres,
            Settings = new Dictionary<string, string?>
            {
                ["Shield:Cluster:Enabled"] = "true",
                ["Shield:Cluster:InstanceName"] = "shield-a",
                ["ConnectionStrings:Redis"] = $"127.0.0.1:{port},connectTimeout=200",
            },
            TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)),
        };
        using var watch = new ApprovalWatch(app);
        await using var redis = new RedisServer(port);
        await redis.InitializeAsync();
        await app.Logs.WaitForAsync("ClusterSignals", "signals between the instances of the cluster flow").WaitAsync(Hang, cancel);

        var request = ClusterInstances.Pending(time.GetUtcNow().UtcDateTime.AddMinutes(5)); // raised on another instance
        await using (var db = app.OpenDatabase())
        {
            db.ApprovalRequests.Add(request);
            await db.SaveChangesAsync(cancel);
        }

        await using var otherInstance = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var heard = watch.NextAsync(ApprovalEventKind.Requested);
        await otherInstance.GetSubscriber().PublishAsync(ClusterSignals.Channel, ClusterSignal.Approval(request.Id).Write("another-instance"));

        Assert.Equal(request.Id, (await heard).Id);
    }
}
