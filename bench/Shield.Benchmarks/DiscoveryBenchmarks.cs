using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Shield.Console.Hosting;
using Shield.Console.Registry;
using Shield.Core.Governance;
using Shield.Core.Registry;

namespace Shield.Benchmarks;

/// <summary>
/// A whole discovery of a server with 1,000 tools: connect over streamable HTTP on loopback, read ten pages of
/// tools/list, screen, fingerprint, reconcile and commit to the SQLite database in one transaction.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- --filter '*DiscoveryBenchmarks*'
/// </summary>
[SimpleJob(RunStrategy.Monitoring, warmupCount: 2, iterationCount: 15, invocationCount: 1)]
[MemoryDiagnoser]
public class DiscoveryBenchmarks
{
    private static readonly Actor Bench = Actor.Shield("benchmark");
    private WebApplication _upstream = default!;
    private WebApplication _shield = default!;
    private string _folder = "";
    private string _url = "";
    private int _round;
    private string _fresh = "";

    [GlobalSetup]
    public void Setup()
    {
        _upstream = Upstream(1_000, pageSize: 100);
        _upstream.StartAsync().GetAwaiter().GetResult();
        _url = _upstream.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/mcp";
        _folder = Directory.CreateTempSubdirectory("shield-bench-").FullName;
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Configuration["ConnectionStrings:Shield"] = $"Data Source={Path.Combine(_folder, "shield.db")}";
        builder.Configuration["Shield:Bootstrap:AdminPassword"] = "Bench-Passw0rd!!";
        builder.Configuration["AllowedHosts"] = "*";
        builder.Logging.ClearProviders();
        builder.AddShieldConsole();
        _shield = builder.Build();
        _shield.StartAsync().GetAwaiter().GetResult();
        Register("steady");
        Discover("steady");
    }

    [IterationSetup(Target = nameof(FirstDiscovery))]
    public void NewServer() => Register(_fresh = $"fresh-{++_round}");

    [Benchmark(Description = "first discovery of 1,000 tools (10 pages), applied in one transaction")]
    public DiscoveryReport FirstDiscovery() => Discover(_fresh);

    [Benchmark(Description = "rediscovery of 1,000 unchanged tools")]
    public DiscoveryReport Rediscovery() => Discover("steady");

    [Benchmark(Description = "listing alone: connect and read 1,000 tools (10 pages), no database")]
    public DiscoveryListing ListOnly() =>
        _shield.Services.GetRequiredService<ToolDiscoverer>()
            .ListAsync(new RegisteredServer { Name = "steady", Transport = ServerTransport.Http, Url = _url }, new ToolLimits(), TimeSpan.FromSeconds(30), null, CancellationToken.None)
            .GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _shield.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _upstream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private void Register(string name) =>
        _ = _shield.Services.GetRequiredService<ServerCatalog>()
            .CreateAsync(new ServerInput(name, null, null, "bench", true, ServerTransport.Http, _url, null, null, null, null), Bench)
            .GetAwaiter().GetResult().Value ?? throw new InvalidOperationException($"Could not register {name}.");

    private DiscoveryReport Discover(string name)
    {
        var report = _shield.Services.GetRequiredService<DiscoveryService>().DiscoverAsync(name, Bench, CancellationToken.None).GetAwaiter().GetResult()!;
        return report.Succeeded ? report : throw new InvalidOperationException(report.Error);
    }

    private static WebApplication Upstream(int count, int pageSize)
    {
        var tools = Enumerable.Range(0, count).Select(i => new Tool
        {
            Name = $"tool_{i:0000}",
            Description = $"Does thing number {i}. " + new string('x', 200),
            InputSchema = JsonDocument.Parse($$$"""{"type":"object","properties":{"id":{"type":"string","description":"Record {{{i}}}"}},"required":["id"]}""").RootElement.Clone(),
            Annotations = new ToolAnnotations { ReadOnlyHint = true },
        }).ToList();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer().WithHttpTransport().WithListToolsHandler((request, _) =>
        {
            var start = int.TryParse(request.Params?.Cursor, out var cursor) ? cursor : 0;
            var next = start + pageSize;
            return ValueTask.FromResult(new ListToolsResult
            {
                Tools = [.. tools.Skip(start).Take(pageSize)],
                NextCursor = next < tools.Count ? next.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            });
        });
        var app = builder.Build();
        app.MapMcp("/mcp");
        return app;
    }
}
