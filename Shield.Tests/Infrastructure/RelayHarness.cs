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

    public static async Task<RelayHarness> StartAsync(ShieldAppFactory? app = null, Func<ShieldAppFactory, UpstreamServer, Task>? register = null, bool resourcesAndPrompts = false)
    {
        app ??= new ShieldAppFactory();
        app.UseKestrel(0);
        app.StartServer();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().Replace("localhost", "127.0.0.1", StringComparison.Ordinal);
        var upstream = await UpstreamServer.StartAsync(resourcesAndPrompts);
        var harness = new RelayHarness(app, upstream, root);
        await (register ?? RegisterCrmAsync)(app, upstream);
        harness.AgentKey = await harness.AgentAsync("invoice-bot", ("crm", "lookup", GrantEffect.Allow), ("crm", "delete_record", GrantEffect.Approve));
        return harness;
    }

    /// <summary>The "crm" server with three approved tools of low risk: only grants decide what needs approval.</summary>
    public static async Task RegisterCrmAsync(ShieldAppFactory app, UpstreamServer upstream)
    {
        await app.ApprovedToolsAsync("crm", upstream, "lookup", "delete_record", "export");
        await app.LowRiskAsync("crm");
    }

    /// <summary>Registers an agent with agent grants; returns its key.</summary>
    public async Task<string> AgentAsync(string name, params (string Server, string Tool, GrantEffect Effect)[] grants)
    {
        var agents = App.Services.GetRequiredService<AgentDirectory>();
        var key = (await agents.CreateAsync(new AgentInput(name, "Test agent", "tests@shield.test", [], true), Registrations.Admin, _cancel)).Value!.Key;
        var book = App.Services.GetRequiredService<GrantBook>();
        foreach (var (server, tool, effect) in grants)
        {
            await book.AddAsync(new GrantInput(SubjectKind.Agent, name, server, tool, effect), Registrations.Admin, _cancel);
        }

        return key;
    }

    /// <summary>Mints a session through the API with the agent's key; returns its JSON (id, token, tools).</summary>
    public async Task<JsonElement> MintAsync(string[]? tools = null, int ttlSeconds = 600, string? key = null, string task = "Pay the November invoices")
    {
        using var http = new HttpClient { BaseAddress = new Uri(Root) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? AgentKey);
        var response = await http.PostAsJsonAsync("/api/sessions", new { task, tools, ttlSeconds }, _cancel);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);
    }

    public async Task<string> TokenAsync(params string[] tools) => (await MintAsync(tools.Length == 0 ? null : tools)).GetProperty("token").GetString()!;

    /// <summary>The C# SDK client on <c>/mcp</c> with the session token as its bearer.</summary>
    public async Task<McpClient> ConnectAsync(string token, McpClientOptions? options = null)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(McpUrl),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
        });
        options ??= new McpClientOptions();
        options.ProtocolVersion ??= "2025-11-25";
        return await McpClient.CreateAsync(transport, options, cancellationToken: _cancel);
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
