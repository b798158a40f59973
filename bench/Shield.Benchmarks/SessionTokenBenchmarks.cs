using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Shield.Console.Agents;
using Shield.Console.Hosting;
using Shield.Console.Sessions;
using Microsoft.EntityFrameworkCore;
using Shield.Core.Agents;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Sessions;

namespace Shield.Benchmarks;

/// <summary>
/// Checking a session token on a request: format check, SHA-256, lookup among 10,000 live sessions, expiry.
/// Target: under 2 µs. Run: dotnet run -c Release --project bench/Shield.Benchmarks -- --filter '*SessionTokenBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class SessionTokenBenchmarks
{
    private WebApplication _shield = default!;
    private SessionIssuer _issuer = default!;
    private string _folder = "";
    private string _token = "";

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("shield-bench-").FullName;
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0", "--environment", "Production"]);
        builder.Configuration["ConnectionStrings:Shield"] = $"Data Source={Path.Combine(_folder, "shield.db")}";
        builder.Configuration["Shield:Bootstrap:AdminPassword"] = "Bench-Passw0rd!!";
        builder.Logging.ClearProviders();
        builder.AddShieldConsole();
        _shield = builder.Build();
        _shield.StartAsync().GetAwaiter().GetResult();
        var key = _shield.Services.GetRequiredService<AgentDirectory>()
            .CreateAsync(new AgentInput("bench-bot", null, null, [], true), Actor.Shield("benchmark")).GetAwaiter().GetResult().Value!;
        _issuer = _shield.Services.GetRequiredService<SessionIssuer>();
        _token = MintMany(key.Agent, 10_000);
    }

    [Benchmark(Description = "check a session token (10,000 live sessions)")]
    public bool Check() => _issuer.CheckAsync(_token).GetAwaiter().GetResult() is not null;

    [GlobalCleanup]
    public void Cleanup()
    {
        _shield.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    // Sessions are written straight to the database, as the issuer stores them: the benchmark measures the check, not
    // the minting (and does not depend on a policy granting anything).
    private string MintMany(AgentView agent, int count)
    {
        using var db = _shield.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContext();
        var now = DateTime.UtcNow;
        var token = "";
        for (var i = 0; i < count; i++)
        {
            token = SecretToken.New(SecretToken.SessionPrefix);
            db.Sessions.Add(new AgentSession
            {
                AgentId = agent.Id, AgentName = agent.Name, Task = $"task {i}", Tools = ["bench__t"],
                TokenSha256 = SecretToken.Hash(token), CreatedAtUtc = now, ExpiresAtUtc = now.AddHours(8),
            });
        }

        db.SaveChanges();
        return token;
    }
}
