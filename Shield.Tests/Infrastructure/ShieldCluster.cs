using System.Diagnostics;
using System.Security.Cryptography;
using Shield.Core.Grants;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Three Shield instances of one cluster on one PostgreSQL database and one Redis, each with its own name, and the same
/// audit key file and anchor file: A and B run in the test process on Kestrel (127.0.0.1), C runs as a process of
/// its own (the console's build output), so a test can kill it outright. An upstream "crm" (lookup allowed,
/// delete_record needing approval) and the agent "invoice-bot" are registered through A.
/// </summary>
public sealed class ShieldCluster(PostgresServer postgres) : IAsyncLifetime
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60); // a guard against a hang, not a measurement

    private readonly TempFolder _folder = new();
    private readonly RedisServer _redis = new();
    private ChildProcess? _c;

    public ShieldAppFactory A { get; private set; } = default!;

    public ShieldAppFactory B { get; private set; } = default!;

    public string RootA { get; private set; } = "";

    public string RootB { get; private set; } = "";

    public string RootC { get; private set; } = "";

    public UpstreamServer Upstream { get; private set; } = default!;

    public string AgentKey { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        File.WriteAllText(KeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        // Each instance's own anchor file, created empty as docs/deployment.md asks: B and C join a trail that has records.
        Directory.CreateDirectory(Path.Combine(_folder.Path, "anchors"));
        foreach (var name in (string[])["shield-a", "shield-b", "shield-c"])
        {
            File.WriteAllBytes(AnchorFile(name), []);
        }

        A = Instance("shield-a");
        RootA = RelayHarness.OnKestrel(A); // the first: it migrates the database
        B = Instance("shield-b");
        RootB = RelayHarness.OnKestrel(B);
        Upstream = await UpstreamServer.StartAsync();
        await RelayHarness.RegisterCrmAsync(A, Upstream);
        AgentKey = await RelayHarness.AgentAsync(A, "invoice-bot", ("crm", "lookup", GrantEffect.Allow), ("crm", "delete_record", GrantEffect.Approve));
        await StartCAsync();
    }

    /// <summary>Kills instance C at once (SIGKILL): nothing of it stops cleanly.</summary>
    public async Task KillCAsync()
    {
        await _c!.DisposeAsync();
        _c = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_c is not null)
        {
            await _c.DisposeAsync();
        }

        await A.DisposeAsync();
        await B.DisposeAsync();
        await Upstream.DisposeAsync();
        await _redis.DisposeAsync();
        _folder.Dispose();
    }

    private string KeyFile => Path.Combine(_folder.Path, "audit.key");

    private string AnchorFile(string instance) => Path.Combine(_folder.Path, "anchors", instance + ".anchors");

    private Dictionary<string, string?> Settings(string name) => new()
    {
        ["Shield:Cluster:Enabled"] = "true",
        ["Shield:Cluster:InstanceName"] = name,
        ["ConnectionStrings:Redis"] = _redis.ConnectionString,
        ["Shield:Audit:KeyFile"] = KeyFile,
        ["Shield:Audit:AnchorFile"] = AnchorFile(name),
        ["Shield:Audit:JoinWithEmptyAnchorFile"] = "true",
    };

    private ShieldAppFactory Instance(string name) => new() { Postgres = postgres, DataDirectory = _folder.Path, Settings = Settings(name) };

    private async Task StartCAsync()
    {
        var port = ChildProcess.FreePort();
        RootC = $"http://127.0.0.1:{port}";
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Repository.PathOf("Shield.Console"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Shield.Console.dll"));
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)
            || k.StartsWith("Shield__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Urls"] = RootC;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        start.Environment["Shield__Database__Provider"] = "PostgreSql";
        start.Environment["ConnectionStrings__Shield"] = postgres.ConnectionString(A.PostgresDatabase);
        foreach (var (key, value) in Settings("shield-c"))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        _c = new ChildProcess(Process.Start(start)!, RootC);
        await _c.WaitForOutputAsync("Application started", TestContext.Current.CancellationToken, StartBound);
    }
}
