using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Accounts;
using Shield.Core.Accounts;
using Shield.Core.Grants;

namespace Shield.Benchmarks;

/// <summary>
/// How fast a waiting call reaches reviewers, and a decision reaches the upstream. Shield runs as deployed (Production,
/// a SQLite file, the audit trail on, behind a proxy that ends TLS) with R reviewer clients connected to
/// <c>/hubs/approvals</c> over WebSockets. One agent makes N calls that need approval, one after another; for each, the
/// time from the agent sending the call to every reviewer client receiving <c>ApprovalRequested</c> (R samples a call),
/// and from a reviewer sending the approval (<c>POST /api/approvals/{id}/decision</c>) to the upstream receiving the call.
/// Both are measured from the client's side, so each includes one HTTP hop more than Shield's own work.
/// Targets: requested p50 ≤ 50 ms and p99 ≤ 250 ms with 100 reviewers; decision to upstream p99 ≤ 50 ms.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- approval-load [calls] [reviewers]
/// Across a cluster of two: ... -- approval-cluster [calls] [reviewers] '&lt;PostgreSQL connection string&gt;' '&lt;Redis&gt;'
/// </summary>
public static class ApprovalLoad
{
    private const string Password = "Bench-Passw0rd!!";
    private static readonly Dictionary<string, object?> Arguments = new() { ["text"] = "invoice 42, password=hunter2" };

    /// <param name="cluster">
    /// With a cluster, two instances on its PostgreSQL and Redis: the agent calls through the first, the reviewers are
    /// connected to the second and decide there, so both figures cross instances (the Redis backplane, then the signal
    /// that wakes the waiting call).
    /// </param>
    public static async Task RunAsync(int calls, int reviewers, BenchCluster? cluster = null)
    {
        var folder = Directory.CreateTempSubdirectory("shield-bench-").FullName;
        var upstreamReached = new ConcurrentQueue<long>();
        await using var upstream = await RelayLoad.StartUpstreamAsync(() => upstreamReached.Enqueue(Stopwatch.GetTimestamp()));
        var shield = await RelayLoad.StartShieldAsync(folder, cluster?.Settings(folder, "shield-a"));
        var reviewing = cluster is null ? shield : await RelayLoad.StartShieldAsync(folder, cluster.Settings(folder, "shield-b"));
        var hubs = new List<HubConnection>();
        try
        {
            var agentRoot = RelayLoad.Address(shield);
            var root = RelayLoad.Address(reviewing);
            var key = await RelayLoad.RegisterAsync(shield.Services, RelayLoad.Address(upstream) + "/mcp", GrantEffect.Approve);
            var token = await ReviewerTokenAsync(shield.Services, root);
            using var reviewer = new HttpClient { BaseAddress = new Uri(root) };
            reviewer.DefaultRequestHeaders.Add("Authorization", "Bearer " + token);
            reviewer.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

            var received = new ConcurrentDictionary<Guid, Arrivals>();
            for (var i = 0; i < reviewers; i++)
            {
                var hub = new HubConnectionBuilder().WithUrl(root + "/hubs/approvals", o =>
                {
                    o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                    o.Headers["X-Forwarded-Proto"] = "https";
                    o.Transports = HttpTransportType.WebSockets;
                }).Build();
                hub.On<JsonElement>("ApprovalRequested", view =>
                    received.GetOrAdd(view.GetProperty("id").GetGuid(), _ => new Arrivals(reviewers)).Arrive(Stopwatch.GetTimestamp()));
                await hub.StartAsync();
                hubs.Add(hub);
            }

            await using var agent = await RelayLoad.ConnectAsync(agentRoot + "/mcp", new()
            {
                ["Authorization"] = "Bearer " + await RelayLoad.MintAsync(agentRoot, key),
                ["X-Forwarded-Proto"] = "https",
            });
            System.Console.WriteLine($"{reviewers} reviewer clients connected; {calls} calls that need approval, one after another (the first 10 unmeasured):");
            var (requested, decided) = (new List<double>(), new List<double>());
            for (var i = 0; i < calls + 10; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                var call = agent.CallToolAsync("bench__echo", Arguments).AsTask();
                var id = await NextRequestAsync(received);
                var arrivals = received[id];
                await arrivals.All.Task.WaitAsync(TimeSpan.FromSeconds(30));
                var approving = Stopwatch.GetTimestamp();
                using (var response = await reviewer.PostAsJsonAsync($"/api/approvals/{id}/decision", new { approve = true }))
                {
                    response.EnsureSuccessStatusCode();
                }

                var result = await call;
                if (result.IsError == true || !upstreamReached.TryDequeue(out var reached))
                {
                    throw new InvalidOperationException("The approved call did not reach the upstream.");
                }

                if (i >= 10)
                {
                    requested.AddRange(arrivals.Times.Select(t => Stopwatch.GetElapsedTime(sent, t).TotalMilliseconds));
                    decided.Add(Stopwatch.GetElapsedTime(approving, reached).TotalMilliseconds);
                }
            }

            Report("requested → every reviewer client", requested, 50, 250);
            // Across instances the target is the cluster's: the call released within 100 ms at the median.
            Report(cluster is null ? "decision → upstream" : "decision on the second instance → upstream, through the first", decided,
                cluster is null ? null : 100, cluster is null ? 50 : null);
        }
        finally
        {
            foreach (var hub in hubs)
            {
                await hub.DisposeAsync();
            }

            foreach (var instance in new[] { reviewing, shield }.Distinct())
            {
                await instance.StopAsync();
                await instance.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static readonly HashSet<Guid> Seen = [];

    /// <summary>The id of the request that has not been handled yet (calls run one after another).</summary>
    private static async Task<Guid> NextRequestAsync(ConcurrentDictionary<Guid, Arrivals> received)
    {
        while (true)
        {
            foreach (var id in received.Keys)
            {
                if (Seen.Add(id))
                {
                    return id;
                }
            }

            await Task.Delay(1);
        }
    }

    private static async Task<string> ReviewerTokenAsync(IServiceProvider services, string root)
    {
        await using (var scope = services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<UserDirectory>()
                .CreateAsync(new CreateUserRequest("reviewer@shield.local", Password, [ShieldRoles.Reviewer], true), actorId: null);
            _ = created.Value ?? throw new InvalidOperationException(created.Refusal!.Message);
        }

        using var http = new HttpClient { BaseAddress = new Uri(root) };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { email = "reviewer@shield.local", password = Password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static void Report(string what, List<double> samples, double? p50Target, double? p99Target)
    {
        var sorted = samples.Order().ToArray();
        var (p50, p99) = (RelayLoad.Percentile(sorted, 0.50), RelayLoad.Percentile(sorted, 0.99));
        System.Console.WriteLine($"  {what}: {sorted.Length:N0} samples, p50 {p50:0.0} ms{Verdict(p50, p50Target)}, p99 {p99:0.0} ms{Verdict(p99, p99Target)}, max {sorted[^1]:0.0} ms");
    }

    private static string Verdict(double figure, double? target) => target is { } bound ? $" (target ≤ {bound}: {(figure <= bound ? "met" : "missed")})" : "";

    /// <summary>When each reviewer client received one request.</summary>
    private sealed class Arrivals(int expected)
    {
        private int _count;

        public ConcurrentBag<long> Times { get; } = [];

        public TaskCompletionSource All { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Arrive(long at)
        {
            Times.Add(at);
            if (Interlocked.Increment(ref _count) == expected)
            {
                All.TrySetResult();
            }
        }
    }
}
