using System.Globalization;

namespace Shield.Benchmarks.OutsideProcess;

/// <summary>
/// What a governed call costs Shield itself, measured with Shield, the upstream and the load driver each in a process
/// of its own (<see cref="ShieldProcess"/>, <see cref="CannedUpstream"/>, <see cref="CSharpDriver"/> and
/// <see cref="NodeDriver"/>), so that each one's CPU time per call is read from the kernel's count for its process over
/// the calls of a round. For 1 and 16 sessions, with the C# SDK client and the TypeScript SDK client: the upstream called
/// directly, then through Shield's <c>/mcp</c>; calls/s, p50 and p99, and each process's CPU per call, as the range over
/// several rounds. On a machine whose cores are shared, CPU per call is the steadier figure: throughput and latency
/// also measure whoever else used the cores.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- relay-process [callsPerRound] [rounds] [sessions...]
/// (defaults 3000 3 1 16); relay-revisions [callsPerRound] [rounds] [sessions...] for the C# SDK client in each MCP
/// revision against an upstream in each; relay-soak [calls] [sessions] (defaults 100000 16) for Shield's resident memory under a long run.
/// </summary>
public static class OutsideRelayLoad
{
    // Long enough for the tiered JIT to settle under load on 2 shared cores (a profile still shows it busy after 40 s).
    private static readonly TimeSpan ShieldWarmUp = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);

    public const string CSharp = "C# SDK", CSharp2026 = "C# SDK 2026-07-28", TypeScript = "TypeScript SDK";

    /// <param name="clients">The drivers: <see cref="CSharp"/> and <see cref="TypeScript"/> (2025-11-25) unless told otherwise.</param>
    /// <param name="upstreamRevision">What the canned upstream speaks: 2025-11-25 (sessions) or 2026-07-28 (stateless).</param>
    public static async Task RunAsync(int callsPerRound, int rounds, int[] sessionCounts, string[]? clients = null, string upstreamRevision = "2025-11-25")
    {
        await using var bench = await BenchProcesses.StartAsync(upstreamRevision);
        List<string> rows = [];
        foreach (var sessions in sessionCounts)
        {
            var each = Math.Max(20, callsPerRound / sessions);
            foreach (var client in clients ?? [CSharp, TypeScript])
            {
                System.Console.WriteLine($"{client}, {sessions} sessions, {each} calls each, {rounds} rounds:");
                // A 2026-07-28 client cannot call a 2025-11-25 server directly: only through Shield, which bridges them.
                var direct = client == CSharp2026 && upstreamRevision != "2026-07-28" ? null : await bench.MeasureAsync(client, direct: true, sessions, each, rounds, WarmUp);
                var relayed = await bench.MeasureAsync(client, direct: false, sessions, each, rounds, WarmUp);
                if (direct is not null)
                {
                    rows.Add(Row(client, sessions, "direct", direct, null));
                    System.Console.WriteLine(rows[^1]);
                }

                rows.Add(Row(client, sessions, "through Shield", relayed, direct is null ? null : Median(direct.Select(m => m.Round.P50))));
                System.Console.WriteLine(rows[^1]);
            }
        }

        System.Console.WriteLine();
        System.Console.WriteLine($"Upstream speaks {upstreamRevision}.");
        System.Console.WriteLine("| client | sessions | path | calls/s | p50 ms | p99 ms | added p50 ms | Shield CPU µs/call | upstream CPU µs/call | driver CPU µs/call |");
        System.Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(System.Console.WriteLine);
    }

    /// <summary>Shield's resident memory after every 10,000 calls of a long run through it (C# SDK clients).</summary>
    public static async Task SoakAsync(int calls, int sessions)
    {
        await using var bench = await BenchProcesses.StartAsync();
        const int Chunk = 10_000;
        var each = Chunk / sessions;
        await using var driver = await bench.DriverAsync(CSharp, direct: false, sessions, each, 1, WarmUp);
        var first = bench.Shield.App.Resident();
        System.Console.WriteLine($"Shield's resident memory after warming up: {first / 1048576.0:0.0} MiB");
        var (done, afterFirst) = (0, 0L);
        while (done < calls)
        {
            var round = await driver.RoundAsync(() => { });
            done += round.Calls;
            var resident = bench.Shield.App.Resident();
            afterFirst = afterFirst == 0 ? resident : afterFirst;
            System.Console.WriteLine($"{done,9:N0} calls: {resident / 1048576.0:0.0} MiB resident, {round.Calls / round.Seconds:N0} calls/s");
        }

        var grown = bench.Shield.App.Resident() - afterFirst;
        System.Console.WriteLine($"grown after the first {Chunk:N0} calls: {grown / 1048576.0:+0.0;-0.0} MiB over {done - Chunk:N0} calls ({(double)grown / (done - Chunk):+0;-0} bytes per call)");
    }

    private static string Row(string client, int sessions, string path, List<Measured> rounds, double? directP50)
    {
        var added = directP50 is { } baseline ? Range(rounds.Select(m => m.Round.P50 - baseline), "+0.00;-0.00") : "";
        return $"| {client} | {sessions} | {path} | {Range(rounds.Select(m => m.Round.Calls / m.Round.Seconds), "N0")} | {Range(rounds.Select(m => m.Round.P50), "0.00")} | " +
            $"{Range(rounds.Select(m => m.Round.P99), "0.00")} | {added} | {Range(rounds.Select(m => m.ServedMicros), "N0")} | {Range(rounds.Select(m => m.UpstreamMicros), "N0")} | " +
            $"{Range(rounds.Select(m => m.DriverMicros), "N0")} |";
    }

    internal static string Range(IEnumerable<double> values, string format)
    {
        var sorted = values.Order().ToList();
        var (low, high) = (sorted[0].ToString(format, CultureInfo.InvariantCulture), sorted[^1].ToString(format, CultureInfo.InvariantCulture));
        return low == high ? low : $"{low}–{high}";
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>The upstream and Shield, started once for the whole run, and Shield warmed up.</summary>
    internal sealed class BenchProcesses : IAsyncDisposable
    {
        private readonly string _folder;
        private readonly string _repository;
        private readonly ChildApp _upstream;
        private readonly string _upstreamUrl;

        private BenchProcesses(string folder, string repository, ChildApp upstream, string upstreamUrl, ShieldProcess shield) =>
            (_folder, _repository, _upstream, _upstreamUrl, Shield) = (folder, repository, upstream, upstreamUrl, shield);

        public ShieldProcess Shield { get; }

        public string UpstreamUrl => _upstreamUrl;

        public static async Task<BenchProcesses> StartAsync(string upstreamRevision = "2025-11-25")
        {
            var repository = Repository();
            var folder = Directory.CreateTempSubdirectory("shield-bench-").FullName;
            var published = await PublishAsync(repository, folder);
            var upstream = ChildApp.Start("dotnet", [typeof(OutsideRelayLoad).Assembly.Location, "canned-upstream", upstreamRevision], folder);
            var url = (await upstream.WaitForAsync("listening on ", TimeSpan.FromSeconds(30)))["listening on ".Length..];
            var shield = await ShieldProcess.StartAsync(published, folder, url);
            var bench = new BenchProcesses(folder, repository, upstream, url, shield);
            System.Console.WriteLine($"Shield (pid {shield.App.Id}) and the upstream (pid {upstream.Id}) started; warming Shield up for {ShieldWarmUp.TotalSeconds:0} s");
            await using (await bench.DriverAsync(CSharp, direct: false, 16, 100, 1, ShieldWarmUp))
            {
            }

            return bench;
        }

        public async Task<ILoadDriver> DriverAsync(string client, bool direct, int sessions, int each, int rounds, TimeSpan warmUp)
        {
            List<string?> tokens = [];
            for (var i = 0; i < sessions; i++)
            {
                tokens.Add(direct ? null : await Shield.MintAsync());
            }

            var (url, tool) = direct ? (_upstreamUrl, "echo") : (Shield.Mcp, "bench__echo");
            return client switch
            {
                CSharp => await CSharpDriver.StartAsync([url], tool, tokens, each, warmUp),
                CSharp2026 => await CSharpDriver.StartAsync([url], tool, tokens, each, warmUp, "2026-07-28"),
                _ => await NodeDriver.StartAsync(_repository, url, tool, tokens, each, rounds, warmUp),
            };
        }

        public async Task<List<Measured>> MeasureAsync(string client, bool direct, int sessions, int each, int rounds, TimeSpan warmUp)
        {
            await using var driver = await DriverAsync(client, direct, sessions, each, rounds, warmUp);
            return await MeasureAsync(driver, Shield.App, rounds);
        }

        /// <summary>Rounds of <paramref name="client"/>s calling <paramref name="tool"/> at <paramref name="url"/>, one session per token, with the CPU of <paramref name="serving"/>.</summary>
        public async Task<List<Measured>> MeasureAsync(string client, string url, string tool, IReadOnlyList<string?> tokens, ChildApp serving, int each, int rounds, TimeSpan warmUp)
        {
            await using ILoadDriver driver = client == CSharp
                ? await CSharpDriver.StartAsync([url], tool, tokens, each, warmUp)
                : await NodeDriver.StartAsync(_repository, url, tool, tokens, each, rounds, warmUp);
            return await MeasureAsync(driver, serving, rounds);
        }

        private async Task<List<Measured>> MeasureAsync(ILoadDriver driver, ChildApp serving, int rounds)
        {
            List<Measured> measured = [];
            for (var i = 0; i < rounds; i++)
            {
                var (served, upstream) = (TimeSpan.Zero, TimeSpan.Zero);
                var round = await driver.RoundAsync(() => (served, upstream) = (serving.Cpu(), _upstream.Cpu()));
                measured.Add(new Measured(round, serving.Cpu() - served, _upstream.Cpu() - upstream));
                System.Console.WriteLine($"  round {i + 1}: {round.Calls / round.Seconds:N0} calls/s, p50 {round.P50:0.00} ms, " +
                    $"{measured[^1].ServedMicros:N0} µs/call served, {measured[^1].UpstreamMicros:N0} upstream, {measured[^1].DriverMicros:N0} driver");
            }

            return measured;
        }

        public async ValueTask DisposeAsync()
        {
            await Shield.DisposeAsync();
            await _upstream.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }

        public static async Task<string> PublishAsync(string repository, string folder)
        {
            if (Environment.GetEnvironmentVariable("SHIELD_PUBLISHED") is { Length: > 0 } published)
            {
                return published;
            }

            var output = Path.Combine(folder, "shield");
            System.Console.WriteLine("Publishing Shield.Console (Release)…");
            await using var publish = ChildApp.Start("dotnet", ["publish", Path.Combine(repository, "Shield.Console", "Shield.Console.csproj"), "-c", "Release", "-o", output, "--nologo"], repository);
            if (await publish.ExitAsync(TimeSpan.FromMinutes(10)) != 0)
            {
                throw new InvalidOperationException($"dotnet publish failed: {publish.Tail()}");
            }

            return output;
        }

        public static string Repository()
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Shield.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new InvalidOperationException("Run the benchmark from Shield's source tree: Shield.sln was not found above it.");
        }
    }

    /// <param name="Served">The CPU time of the process that served the calls (Shield, or what it is compared with).</param>
    internal sealed record Measured(Round Round, TimeSpan Served, TimeSpan Upstream)
    {
        public double ServedMicros => Served.TotalMicroseconds / Round.Calls;

        public double UpstreamMicros => Upstream.TotalMicroseconds / Round.Calls;

        public double DriverMicros => Round.DriverCpu.TotalMicroseconds / Round.Calls;
    }
}
