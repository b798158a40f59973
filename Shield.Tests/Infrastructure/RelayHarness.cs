using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol.Client;
using Shield.Console.Agents;
using Shield.Console.Grants;
using Shield.Core.Grants;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// Shield on a real loopback socket fronting an in-process upstream ("crm": lookup allowed, delete_record needing
/// approval, export not granted) for the agent "invoice-bot", with helpers to mint sessions and connect the C# SDK
/// client to <c>/mcp</c> as an agent would.
/// </summary>
public sealed class RelayHarness : IAsyncDisposable
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private RelayHarness(ShieldAppFactory app, UpstreamServer upstream, string root) => (App, Upstream, Root) = (app, upstream, root);

    public ShieldAppFactory App { get; }

    public UpstreamServer Upstream { get; }

    /// <summary>The console's address, such as http://127.0.0.1:5123.</summary>
    public string Root { get; }

    public string McpUrl => Root + "/mcp";

    public string AgentKey { get; private set; } = "";

    /// <param name="revision">The only revision the upstream speaks; by default every one the SDK does, so Shield speaks 2026-07-28 to it.</param>
    public static async Task<RelayHarness> StartAsync(ShieldAppFactory? app = null, Func<ShieldAppFactory, UpstreamServer, Task>? register = null, bool resourcesAndPrompts = false,
        string? revision = null)
    {
        app ??= new ShieldAppFactory();
        var root = OnKestrel(app);
        var upstream = await UpstreamServer.StartAsync(resourcesAndPrompts, revision);
        var harness = new RelayHarness(app, upstream, root);
        await (register ?? RegisterCrmAsync)(app, upstream);
        harness.AgentKey = await harness.AgentAsync("invoice-bot", ("crm", "lookup", GrantEffect.Allow), ("crm", "delete_record", GrantEffect.Approve));
        return harness;
    }

    /// <summary>Starts the app on a free port of 127.0.0.1; returns its address, such as http://127.0.0.1:5123.</summary>
    public static string OnKestrel(ShieldAppFactory app)
    {
        app.UseKestrel(0);
        app.StartServer();
        return app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
    }

    /// <summary>The "crm" server with three approved tools of low risk: only grants decide what needs approval.</summary>
    public static async Task RegisterCrmAsync(ShieldAppFactory app, UpstreamServer upstream)
    {
        await app.ApprovedToolsAsync("crm", upstream, "lookup", "delete_record", "export");
        await app.LowRiskAsync("crm");
    }

    /// <summary>Registers an agent with agent grants; returns its key.</summary>
    public Task<string> AgentAsync(string name, params (string Server, string Tool, GrantEffect Effect)[] grants) => AgentAsync(App, name, grants);

    /// <summary>Registers an agent with agent grants on <paramref name="app"/>; returns its key.</summary>
    public static async Task<string> AgentAsync(ShieldAppFactory app, string name, params (string Server, string Tool, GrantEffect Effect)[] grants)
    {
        var cancel = TestContext.Current.CancellationToken;
        var agents = app.Services.GetRequiredService<AgentDirectory>();
        var key = (await agents.CreateAsync(new AgentInput(name, "Test agent", "tests@shield.test", [], true), Registrations.Admin, cancel)).Value!.Key;
        var book = app.Services.GetRequiredService<GrantBook>();
        foreach (var (server, tool, effect) in grants)
        {
            await book.AddAsync(new GrantInput(SubjectKind.Agent, name, server, tool, effect), Registrations.Admin, cancel);
        }

        return key;
    }

    /// <summary>Mints a session through the API with the agent's key; returns its JSON (id, token, tools).</summary>
    public Task<JsonElement> MintAsync(string[]? tools = null, int ttlSeconds = 600, string? key = null, string task = "Pay the November invoices") =>
        MintAsync(Root, key ?? AgentKey, tools, ttlSeconds, task);

    /// <summary>Mints a session through the API of the Shield at <paramref name="root"/> with the agent's key; returns its JSON (id, token, tools).</summary>
    public static async Task<JsonElement> MintAsync(string root, string key, string[]? tools = null, int ttlSeconds = 600, string task = "Pay the November invoices")
    {
        var cancel = TestContext.Current.CancellationToken;
        using var http = new HttpClient { BaseAddress = new Uri(root) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.PostAsJsonAsync("/api/sessions", new { task, tools, ttlSeconds }, cancel);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancel);
    }

    public async Task<string> TokenAsync(params string[] tools) => (await MintAsync(tools.Length == 0 ? null : tools)).GetProperty("token").GetString()!;

    /// <summary>The C# SDK client on <c>/mcp</c> with the session token as its bearer.</summary>
    public Task<McpClient> ConnectAsync(string token, McpClientOptions? options = null) => ConnectAsync(McpUrl, token, options);

    /// <summary>The C# SDK client on the Shield <c>/mcp</c> at <paramref name="mcpUrl"/> with the session token as its bearer.</summary>
    public static async Task<McpClient> ConnectAsync(string mcpUrl, string token, McpClientOptions? options = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(mcpUrl),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        options ??= new McpClientOptions();
        options.ProtocolVersion ??= "2025-11-25";
        return await McpClient.CreateAsync(transport, options, cancellationToken: TestContext.Current.CancellationToken);
    }

    /// <summary>The trail's tool-call records so far, oldest first (outcomes follow their answer: the writer is flushed first).</summary>
    public async Task<List<Shield.Core.Auditing.AuditRecord>> TrailAsync()
    {
        await App.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>().FlushAsync(_cancel);
        await using var db = await App.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Shield.Core.Persistence.ShieldDbContext>>()
            .CreateDbContextAsync(_cancel);
        return [.. db.AuditRecords.Where(r => r.EventType.StartsWith("tool-call")).OrderBy(r => r.Sequence)];
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
