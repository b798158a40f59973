using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shield.Console.Auditing;
using Shield.Console.Hosting;
using Shield.Core.Auditing;

namespace Shield.Benchmarks;

/// <summary>
/// Sustained audit throughput: many callers each append a tool-call record and await its commit, against the
/// console's own writer on a SQLite file in WAL mode. Reports committed records per second and commit latency.
/// Then verifies the chain and exports it as JSON Lines and CSV, reporting time and memory.
/// Target: at least 20,000 records/s. Run: dotnet run -c Release --project bench/Shield.Benchmarks -- audit-load [records] [callers]
/// </summary>
public static class AuditWriterLoad
{
    public static async Task RunAsync(int records, int callers)
    {
        var folder = Directory.CreateTempSubdirectory("shield-bench-").FullName;
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Configuration["ConnectionStrings:Shield"] = $"Data Source={Path.Combine(folder, "shield.db")}";
        builder.Configuration["Shield:Bootstrap:AdminPassword"] = "Bench-Passw0rd!!";
        builder.Logging.ClearProviders();
        builder.AddShieldConsole();
        await using var shield = builder.Build();
        await shield.StartAsync();
        var writer = shield.Services.GetRequiredService<AuditWriter>();
        try
        {
            await DriveAsync(writer, records / 10, callers); // warm-up: JIT, connection pool, page cache
            var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var (elapsed, latencies) = await DriveAsync(writer, records, callers);
            cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Array.Sort(latencies);
            System.Console.WriteLine($"records: {records:N0}, callers: {callers}, elapsed: {elapsed.TotalSeconds:0.00} s");
            System.Console.WriteLine($"throughput: {records / elapsed.TotalSeconds:N0} committed records/s");
            System.Console.WriteLine($"process CPU: {cpu.TotalMicroseconds / records:0.0} us per record (writer and the callers driving it)");
            System.Console.WriteLine($"commit latency: p50 {Percentile(latencies, 0.50):0.00} ms, p99 {Percentile(latencies, 0.99):0.00} ms, max {latencies[^1]:0.00} ms");
            var verification = await shield.Services.GetRequiredService<AuditVerifier>().VerifyAsync("benchmark");
            System.Console.WriteLine($"verified: {verification.RecordsChecked:N0} records, intact: {verification.Intact}, in {verification.ElapsedMilliseconds:N0} ms");
            await SearchAsync(shield.Services.GetRequiredService<AuditSearch>());
            await ExportAsync(shield.Services.GetRequiredService<AuditExporter>());
        }
        finally
        {
            await shield.StopAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    // What an auditor's searches cost over the whole trail: the first page for an agent, a session, a tool, a trace id.
    private static async Task SearchAsync(AuditSearch search)
    {
        var newest = (await search.PageAsync(new AuditFilter(), null, 1)).Records[0];
        var oldest = (await search.PageAsync(new AuditFilter { Tool = "read_file" }, 1_000, 1)).Records[0];
        foreach (var (name, filter) in new (string, AuditFilter)[]
        {
            ("newest 50", new AuditFilter()),
            ("agent", new AuditFilter { Actor = "bench-bot" }),
            ("session (an early one)", new AuditFilter { Session = oldest.SessionId }),
            ("tool", new AuditFilter { Server = "files", Tool = "read_file" }),
            ("trace id (an early one)", new AuditFilter { TraceId = oldest.TraceId }),
            ("last hour", new AuditFilter { From = newest.AtUtc.AddHours(-1) }),
        })
        {
            var started = Stopwatch.GetTimestamp();
            var page = await search.PageAsync(filter, null, 50);
            System.Console.WriteLine($"search by {name}: {page.Records.Count} records in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0.0} ms");
        }
    }

    // The whole trail as JSON Lines and as CSV, to a counting sink: time, bytes, and the most memory the process held.
    private static async Task ExportAsync(AuditExporter exporter)
    {
        foreach (var format in new[] { AuditExporter.JsonLines, AuditExporter.Csv })
        {
            GC.Collect();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var peak = 0L;
            using var sampler = new Timer(_ => peak = Math.Max(peak, GC.GetTotalMemory(false)), null, 0, 20);
            var sink = new CountingStream();
            var started = Stopwatch.GetTimestamp();
            var (head, _) = await exporter.HeadAsync();
            var manifest = await exporter.WriteAsync(sink, format, new AuditFilter(), head);
            var elapsed = Stopwatch.GetElapsedTime(started);
            System.Console.WriteLine($"export {format}: {manifest.Count:N0} records, {sink.Length / 1024.0 / 1024.0:N0} MB in {elapsed.TotalSeconds:0.00} s " +
                $"({manifest.Count / elapsed.TotalSeconds:N0} records/s); managed heap before {before / 1024 / 1024} MB, peak {peak / 1024 / 1024} MB");
        }
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;

        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private static async Task<(TimeSpan Elapsed, double[] Latencies)> DriveAsync(AuditWriter writer, int records, int callers)
    {
        var latencies = new double[records];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        // Each caller is one agent session making call after call, each call its own trace, as through the relay.
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            var session = Guid.NewGuid();
            int i;
            while ((i = Interlocked.Increment(ref next)) < records)
            {
                var begun = Stopwatch.GetTimestamp();
                await writer.AppendAsync(Record(i, session));
                latencies[i] = Stopwatch.GetElapsedTime(begun).TotalMilliseconds;
            }
        })));
        return (Stopwatch.GetElapsedTime(started), latencies);
    }

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(p * sorted.Length) - 1)];

    private static AuditRecord Record(int i, Guid session) => new()
    {
        AtUtc = DateTime.UtcNow,
        EventType = AuditEventTypes.CallCompleted,
        ActorKind = "agent",
        ActorId = "2f0e7c1a-6a55-4d0e-9d9b-6c1f3e3f1a01",
        ActorName = "bench-bot",
        SessionId = session,
        Task = "nightly reconciliation of supplier invoices",
        Server = "files",
        Tool = "read_file",
        ArgumentsFingerprint = "5d41402abc4b2a76b9719d911017c592ae2f8d5b1b7e6a1b2c3d4e5f60718293",
        Decision = "allow",
        DecidingGrant = "agent:bench-bot allow files/*",
        Outcome = "ok",
        DurationMicroseconds = 1_200 + (i % 500),
        TraceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
        SpanId = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64())),
    };
}
