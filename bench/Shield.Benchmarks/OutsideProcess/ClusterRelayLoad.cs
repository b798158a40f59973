using System.Security.Cryptography;
using Npgsql;

namespace Shield.Benchmarks.OutsideProcess;

/// <summary>
/// What a cluster serves: governed calls through one instance, then through every instance of a cluster on one
/// PostgreSQL database and one Redis, each instance a published Shield in a process of its own (as
/// <see cref="OutsideRelayLoad"/>, C# SDK clients, the sessions spread over the instances in turn). For each: calls/s,
/// p50 and p99, the CPU per call of the Shield processes that served (summed), and the audit records committed per
/// second across the cluster (counted in the database), as the range over the rounds.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- relay-cluster &lt;PostgreSQL&gt; &lt;Redis&gt; [instances]
/// [callsPerRound] [rounds] [sessions] (defaults 3 3000 3 16).
/// </summary>
public static class ClusterRelayLoad
{
    private static readonly TimeSpan ShieldWarmUp = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(string postgres, string redis, int instances, int callsPerRound, int rounds, int sessions)
    {
        var repository = OutsideRelayLoad.BenchProcesses.Repository();
        var folder = Directory.CreateTempSubdirectory("shield-bench-").FullName;
        var database = new NpgsqlConnectionStringBuilder(postgres) { Database = "shield_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) }.ConnectionString;
        var published = await OutsideRelayLoad.BenchProcesses.PublishAsync(repository, folder);
        await using var upstream = ChildApp.Start("dotnet", [typeof(ClusterRelayLoad).Assembly.Location, "canned-upstream"], folder);
        var url = (await upstream.WaitForAsync("listening on ", TimeSpan.FromSeconds(30)))["listening on ".Length..];
        List<ShieldProcess> shields = [];
        try
        {
            for (var i = 1; i <= instances; i++)
            {
                shields.Add(await ShieldProcess.StartAsync(published, folder, url, new ClusterMember($"shield-{i}", database, redis, First: i == 1)));
            }

            System.Console.WriteLine($"{instances} instances started on one database; warming them up for {ShieldWarmUp.TotalSeconds:0} s");
            var tokens = new List<string?>();
            for (var i = 0; i < sessions; i++)
            {
                tokens.Add(await shields[0].MintAsync()); // a session minted on one instance works on all
            }

            await using (await CSharpDriver.StartAsync([.. shields.Select(s => s.Mcp)], "bench__echo", tokens, 100, ShieldWarmUp))
            {
            }

            List<string> rows = [];
            foreach (var serving in new[] { 1, instances }.Distinct())
            {
                var each = Math.Max(20, callsPerRound / sessions);
                var used = shields.Take(serving).ToList();
                await using var driver = await CSharpDriver.StartAsync([.. used.Select(s => s.Mcp)], "bench__echo", tokens, each, WarmUp);
                List<(Round Round, TimeSpan Cpu, long Records)> measured = [];
                for (var r = 0; r < rounds; r++)
                {
                    var (cpu, records) = (TimeSpan.Zero, 0L);
                    var round = await driver.RoundAsync(() =>
                    {
                        cpu = Cpu(used);
                        records = Count(database);
                    });
                    measured.Add((round, Cpu(used) - cpu, Count(database) - records));
                }

                rows.Add($"| {serving} of {instances} | {sessions} | {OutsideRelayLoad.Range(measured.Select(m => m.Round.Calls / m.Round.Seconds), "N0")} | " +
                    $"{OutsideRelayLoad.Range(measured.Select(m => m.Round.P50), "0.00")} | {OutsideRelayLoad.Range(measured.Select(m => m.Round.P99), "0.00")} | " +
                    $"{OutsideRelayLoad.Range(measured.Select(m => m.Cpu.TotalMicroseconds / m.Round.Calls), "N0")} | {OutsideRelayLoad.Range(measured.Select(m => m.Records / m.Round.Seconds), "N0")} |");
                System.Console.WriteLine(rows[^1]);
            }

            System.Console.WriteLine();
            System.Console.WriteLine("| instances serving | sessions | calls/s | p50 ms | p99 ms | Shield CPU µs/call (all serving) | audit records/s |");
            System.Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            rows.ForEach(System.Console.WriteLine);
        }
        finally
        {
            foreach (var shield in shields)
            {
                await shield.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static TimeSpan Cpu(List<ShieldProcess> shields) => shields.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.App.Cpu());

    private static long Count(string database)
    {
        using var connection = new NpgsqlConnection(database);
        connection.Open();
        using var count = new NpgsqlCommand("SELECT count(*) FROM \"AuditRecords\"", connection);
        return (long)count.ExecuteScalar()!;
    }
}
