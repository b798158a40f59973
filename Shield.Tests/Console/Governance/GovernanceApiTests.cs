using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Registry;
using Shield.Core.Accounts;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

public sealed class GovernanceApiTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheExport_HoldsDecisionsAndReferences_ButNoSecret_AndImportsIntoAnotherShield()
    {
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("approved_tool", "Approved.");
        upstream.Set("blocked_tool", "Blocked.");
        upstream.Set("pending_tool", "Waits.");
        await using var source = new ShieldAppFactory();
        var variable = $"SHIELD_TEST_TENANT_{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(variable, "tenant-7");
        await source.HttpServerAsync("crm", upstream.Url, new SettingInput("Authorization", "Bearer typed-in-the-console"), new SettingInput("X-Tenant", $"${{env:{variable}}}"));
        await source.DiscoverAsync("crm");
        var review = source.Services.GetRequiredService<ToolReview>();
        var tools = await source.ToolsAsync("crm");
        var approved = tools.Single(t => t.Name == "approved_tool");
        await review.ApproveAsync(approved.Id, approved.Fingerprint, Registrations.Admin, _cancel);
        await review.SetRiskAsync(approved.Id, RiskLevel.Critical, Registrations.Admin, _cancel);
        await review.BlockAsync(tools.Single(t => t.Name == "blocked_tool").Id, Registrations.Admin, _cancel);

        var admin = await ConsoleSignIn.ApiClientAsync(source, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var exported = await admin.GetStringAsync("/api/governance/export", _cancel);
        var document = JsonDocument.Parse(exported).RootElement;

        Assert.DoesNotContain("typed-in-the-console", exported, StringComparison.Ordinal);
        Assert.Equal(1, document.GetProperty("version").GetInt32());
        var server = document.GetProperty("servers")[0];
        Assert.Equal("crm", server.GetProperty("name").GetString());
        Assert.Equal("http", server.GetProperty("transport").GetString());
        Assert.Equal($"${{env:{variable}}}", server.GetProperty("headers").GetProperty("X-Tenant").GetString());
        Assert.False(server.GetProperty("headers").TryGetProperty("Authorization", out _));
        var decisions = document.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        Assert.Equal(["approved_tool", "blocked_tool"], decisions.Keys.Order());
        Assert.Equal("approved", decisions["approved_tool"].GetProperty("state").GetString());
        Assert.Equal("critical", decisions["approved_tool"].GetProperty("risk").GetString());
        Assert.Equal(approved.Fingerprint, decisions["approved_tool"].GetProperty("fingerprint").GetString());
        Assert.Equal("blocked", decisions["blocked_tool"].GetProperty("state").GetString());

        await using var target = new ShieldAppFactory();
        var targetAdmin = await ConsoleSignIn.ApiClientAsync(target, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var imported = await targetAdmin.PostAsync("/api/governance/import", new StringContent(exported, Encoding.UTF8, "application/json"), _cancel);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        await target.DiscoverAsync("crm");

        var inventory = (await target.ToolsAsync("crm")).ToDictionary(t => t.Name);
        Assert.True(inventory["approved_tool"].Callable);
        Assert.Equal(RiskLevel.Critical, inventory["approved_tool"].Risk);
        Assert.Equal(ToolState.Blocked, inventory["blocked_tool"].State);
        Assert.Equal(ToolState.PendingReview, inventory["pending_tool"].State);
    }

    [Fact]
    public async Task AnInvalidDocument_ReportsEveryProblemWithItsPath_AndChangesNothing()
    {
        await using var app = new ShieldAppFactory();
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        const string document = """
            {
              "version": 2,
              "servers": [
                { "name": "Bad Name", "transport": "http", "url": "https://ok.example/mcp" },
                { "name": "fine", "transport": "carrier-pigeon" },
                { "name": "local", "transport": "stdio", "env": { "1BAD": "x" } }
              ],
              "tools": [
                { "server": "fine", "name": "t", "state": "maybe" },
                { "server": "fine", "name": "u", "state": "blocked", "fingerprint": "sha256:abc" },
                { "server": "ghost", "name": "v", "state": "approved" }
              ],
              "agents": [ { "name": "bot", "owner": "the finance team" } ],
              "redaction": { "keys": [ "password" ], "patterns": [ { "name": "employee-id", "regex": "EMP-(\\d{6}" } ] }
            }
            """;

        var response = await admin.PostAsync("/api/governance/import", new StringContent(document, Encoding.UTF8, "application/json"), _cancel);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var paths = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("$.version", paths);
        Assert.Contains("$.servers[0].name", paths);
        Assert.Contains("$.servers[1].transport", paths);
        Assert.Contains("$.servers[2].command", paths);
        Assert.Contains("$.servers[2].env", paths);
        Assert.Contains("$.tools[0].state", paths);
        Assert.Contains("$.tools[1].fingerprint", paths);
        Assert.Contains("$.agents[0].owner", paths);
        Assert.Contains("$.redaction.patterns[0].regex", paths);
        Assert.Contains("$.tools[2].server", paths);
        Assert.Empty(await app.Services.GetRequiredService<ServerCatalog>().ListAsync(_cancel));
    }

    [Fact]
    public async Task ControlCharactersInHeadersAndEnvironment_AreRefusedWithTheirPath_AndNothingIsApplied()
    {
        await using var app = new ShieldAppFactory();
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        const string document = """
            {
              "version": 1,
              "servers": [
                { "name": "crm", "transport": "http", "url": "https://crm.example/mcp", "headers": { "Authorization": "Bearer x\r\nX-Injected: yes" } },
                { "name": "local", "transport": "stdio", "command": "node", "env": { "API_KEY": "key\u0000more" } },
                { "name": "framed", "transport": "http", "url": "https://crm.example/mcp", "headers": { "Transfer-Encoding": "chunked", "Bad Name": "x" } }
              ]
            }
            """;

        var response = await admin.PostAsync("/api/governance/import", new StringContent(document, Encoding.UTF8, "application/json"), _cancel);
        var body = await response.Content.ReadAsStringAsync(_cancel);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["$.servers[0].headers", "$.servers[1].env", "$.servers[2].headers"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.StartsWith("The value of the header 'Authorization' holds a control character (U+000D) at position 9", errors.GetProperty("$.servers[0].headers")[0].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("The value of the environment variable 'API_KEY' holds a control character (U+0000) at position 4", errors.GetProperty("$.servers[1].env")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(2, errors.GetProperty("$.servers[2].headers").GetArrayLength());
        Assert.DoesNotContain("X-Injected", body, StringComparison.Ordinal);
        Assert.Empty(await app.Services.GetRequiredService<ServerCatalog>().ListAsync(_cancel));
    }

    [Theory]
    [InlineData("{ \"version\": 1, \"servers\": [ { \"name\": \"crm\", \"transport\": \"http\", \"urll\": \"x\" } ] }", "$.servers[0].urll")]
    [InlineData("{ \"version\": 1, \"servers\": [ { \"name\": \"crm\", ", "$.servers[0]")]
    [InlineData("{ \"version\": \"one\" }", "$.version")]
    public async Task MalformedJson_IsRefused_NamingWhere(string document, string path)
    {
        await using var app = new ShieldAppFactory();
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var response = await admin.PostAsync("/api/governance/import", new StringContent(document, Encoding.UTF8, "application/json"), _cancel);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem.GetProperty("errors").EnumerateObject(), p => p.Name.StartsWith(path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Auditors_Export_ButOnlyAdminsImport()
    {
        await using var app = new ShieldAppFactory();
        var auditorEmail = ShieldAppFactory.NewEmail("auditor");
        await app.CreateUserAsync(auditorEmail, ShieldRoles.Auditor);
        var auditor = await ConsoleSignIn.ApiClientAsync(app, auditorEmail, ShieldAppFactory.Password);

        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync("/api/governance/export", _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditor.PostAsync("/api/governance/import", new StringContent("{\"version\":1}", Encoding.UTF8, "application/json"), _cancel)).StatusCode);
    }
}
