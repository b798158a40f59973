using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Shield.Benchmarks.OutsideProcess;

/// <summary>
/// Shield as an operator runs it, in a process of its own: the console published in Release (or a folder already
/// published, <c>SHIELD_PUBLISHED</c>), started with <c>dotnet Shield.Console.dll</c> in Production on a SQLite file with
/// the audit trail on and a key file, behind what it takes for a proxy that ends TLS
/// (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>; every request says <c>X-Forwarded-Proto: https</c>). A governance document
/// given at start registers the upstream as server <c>bench</c>, approves its <c>echo</c> at low risk on first
/// discovery, and grants it to the agent <c>bench-bot</c>, whose key only this benchmark knows.
/// </summary>
internal sealed class ShieldProcess : IAsyncDisposable
{
    private const string AdminEmail = "admin@shield.local";
    private const string AdminPassword = "Bench-Passw0rd!!";
    private readonly ChildApp _app;
    private readonly string _agentKey;

    private ShieldProcess(ChildApp app, string root, string agentKey) => (_app, Root, _agentKey) = (app, root, agentKey);

    public string Root { get; }

    public string Mcp => Root + "/mcp";

    public ChildApp App => _app;

    /// <param name="cluster">
    /// For an instance of a cluster: the settings that put it there (database, Redis, its name), its anchor file made
    /// empty beside the others; the governance document and discovery are the first instance's alone.
    /// </param>
    public static async Task<ShieldProcess> StartAsync(string published, string folder, string upstream, ClusterMember? cluster = null)
    {
        var agentKey = "shk_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var policy = Path.Combine(folder, "policy.json");
        var governs = cluster is null or { First: true };
        if (governs)
        {
            await File.WriteAllTextAsync(policy, JsonSerializer.Serialize(new
            {
                version = 1,
                servers = new[] { new { name = "bench", transport = "http", url = upstream, enabled = true } },
                tools = new[] { new { server = "bench", name = "echo", state = "approved", risk = "low" } },
                agents = new[] { new { name = "bench-bot", enabled = true, keySha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(agentKey))) } },
                grants = new[] { new { subject = "agent:bench-bot", server = "bench", tool = "echo", effect = "allow" } },
            }));
        }

        var key = Path.Combine(folder, "audit.key");
        if (!File.Exists(key))
        {
            await File.WriteAllTextAsync(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        var port = FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__Shield"] = $"Data Source={Path.Combine(folder, "shield.db")}",
            ["Shield__Bootstrap__AdminEmail"] = AdminEmail,
            ["Shield__Bootstrap__AdminPassword"] = AdminPassword,
            ["Shield__Audit__KeyFile"] = key,
            ["Shield__Audit__AnchorFile"] = Path.Combine(folder, "audit.anchors"),
        };
        if (governs)
        {
            environment["Shield__PolicyFile"] = policy;
        }

        if (cluster is not null)
        {
            var anchors = Path.Combine(folder, cluster.Name + ".anchors");
            await File.WriteAllBytesAsync(anchors, []);
            environment["Shield__Audit__AnchorFile"] = anchors;
            environment["Shield__Audit__JoinWithEmptyAnchorFile"] = "true";
            environment["Shield__Database__Provider"] = "PostgreSql";
            environment["ConnectionStrings__Shield"] = cluster.Database;
            environment["ConnectionStrings__Redis"] = cluster.Redis;
            environment["Shield__Cluster__Enabled"] = "true";
            environment["Shield__Cluster__InstanceName"] = cluster.Name;
        }

        var app = ChildApp.Start("dotnet", [Path.Combine(published, "Shield.Console.dll")], published, environment);
        var shield = new ShieldProcess(app, $"http://127.0.0.1:{port}", agentKey);
        await app.WaitForAsync("Application started", TimeSpan.FromMinutes(2));
        if (governs)
        {
            await shield.DiscoverAsync();
        }

        return shield;
    }


    /// <summary>A new agent session for the echo tool: its token.</summary>
    public async Task<string> MintAsync()
    {
        using var http = Client(_agentKey);
        using var response = await http.PostAsJsonAsync("/api/sessions", new { task = "Relay load benchmark", tools = new[] { "bench__echo" }, ttlSeconds = 3600 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    // Discovery pins echo's definition, which the governance document approved on first sight.
    private async Task DiscoverAsync()
    {
        using var anonymous = Client(null);
        using var login = await anonymous.PostAsJsonAsync("/api/auth/login", new { email = AdminEmail, password = AdminPassword });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        using var admin = Client(token);
        using var discovered = await admin.PostAsync("/api/servers/bench/discover", null);
        if (!discovered.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Discovery of the upstream failed: {await discovered.Content.ReadAsStringAsync()}");
        }
    }

    private HttpClient Client(string? bearer)
    {
        var http = new HttpClient { BaseAddress = new Uri(Root) };
        http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        if (bearer is not null)
        {
            http.DefaultRequestHeaders.Add("Authorization", "Bearer " + bearer);
        }

        return http;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>An instance of a benchmark's cluster: its name, the database and Redis it shares, and whether it is the first.</summary>
internal sealed record ClusterMember(string Name, string Database, string Redis, bool First);
