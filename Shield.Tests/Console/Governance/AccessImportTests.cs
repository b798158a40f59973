using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Governance;
using Shield.Console.Grants;
using Shield.Core.Agents;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Governance;

/// <summary>Agents (key hashes only) and grants in the governance document.</summary>
public sealed class AccessImportTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AgentsAndGrants_AreImported_AndTheKeyWhoseHashIsDeclaredMintsSessions()
    {
        await using var app = new ShieldAppFactory();
        await using var upstream = await UpstreamServer.StartAsync();
        upstream.Set("echo", "Echoes.");
        var key = SecretToken.New(SecretToken.AgentKeyPrefix);
        var document = $$"""
            {
              "version": 1,
              "servers": [ { "name": "everything", "transport": "http", "url": "{{upstream.Url}}" } ],
              "tools": [ { "server": "everything", "name": "echo", "state": "approved", "risk": "low" } ],
              "agents": [ { "name": "invoice-bot", "owner": "Finance Desk <Finance@Shield.test>", "roles": ["finance-bots"], "keySha256": "{{SecretToken.Hash(key)}}" } ],
              "grants": [
                { "subject": "agent:invoice-bot", "server": "everything", "tool": "echo", "effect": "allow" },
                { "subject": "role:finance-bots", "server": "everything", "tool": "*", "effect": "approve" }
              ]
            }
            """;
        var importer = app.Services.GetRequiredService<GovernanceImporter>();

        await app.DiscoveryCausedByAsync("everything", async () => Assert.True((await importer.ImportAsync(document, Registrations.Admin, _cancel)).Applied));

        var agent = Assert.Single(await app.Services.GetRequiredService<AgentDirectory>().ListAsync(_cancel));
        Assert.Equal(("invoice-bot", "finance@shield.test", true), (agent.Name, agent.Owner, agent.HasKey));
        Assert.Equal(2, (await app.Services.GetRequiredService<GrantBook>().ListAsync(_cancel)).Count);
        Assert.Equal(DecisionKind.RequireApproval, app.Services.GetRequiredService<PolicyStore>().Current.Decide("invoice-bot", "everything", "echo").Kind);
        var client = app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/sessions", new { task = "Check the echo" }, _cancel)).StatusCode);

        var exported = await app.Services.GetRequiredService<GovernanceExporter>().ExportAsync(_cancel);
        Assert.Equal(SecretToken.Hash(key), Assert.Single(exported.Agents!).KeySha256);
        Assert.Equal(["agent:invoice-bot", "role:finance-bots"], exported.Grants!.Select(g => g.Subject));
    }

    [Fact]
    public async Task AKeyMadeOutsideShield_AsDocumented_Authenticates_AndAHashOfAnotherShapeIsRefusedAtItsPath()
    {
        await using var app = new ShieldAppFactory();
        // docs/governance.md: shk_ and 32 random bytes in base64url without padding; keySha256 is the lowercase hex
        // SHA-256 of the key's UTF-8 bytes. Computed here without Shield's own helpers, as a provisioning script would.
        var key = "shk_" + System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        var importer = app.Services.GetRequiredService<GovernanceImporter>();

        var refused = await importer.ImportAsync($$"""
            { "version": 1, "agents": [ { "name": "short-bot", "keySha256": "{{hash[..40]}}" }, { "name": "upper-bot", "keySha256": "{{hash.ToUpperInvariant()}}" } ] }
            """, Registrations.Admin, _cancel);
        var imported = await importer.ImportAsync($$"""{ "version": 1, "agents": [ { "name": "outside-bot", "keySha256": "{{hash}}" } ] }""", Registrations.Admin, _cancel);
        var client = app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var minted = await client.PostAsJsonAsync("/api/sessions", new { task = "Check the key" }, _cancel);

        Assert.Equal(["$.agents[0].keySha256", "$.agents[1].keySha256"], refused.Errors.Select(e => e.Path));
        Assert.All(refused.Errors, e => Assert.Contains("64 characters of 0-9 and a-f", e.Message, StringComparison.Ordinal));
        Assert.True(imported.Applied);
        // Authenticated as the agent: refused only because it holds no grant yet.
        Assert.Equal(HttpStatusCode.Forbidden, minted.StatusCode);
        Assert.Contains("No tool is granted to this agent", await minted.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantsMustNameKnownAgentsServersAndTools()
    {
        await using var app = new ShieldAppFactory();
        const string document = """
            {
              "version": 1,
              "servers": [ { "name": "crm", "transport": "http", "url": "https://crm.example/mcp" } ],
              "agents": [ { "name": "bot", "owner": "finance", "keySha256": "not-a-hash" } ],
              "grants": [
                { "subject": "agent:ghost", "server": "crm", "tool": "*", "effect": "allow" },
                { "subject": "agent:bot", "server": "crm", "tool": "undeclared", "effect": "allow" },
                { "subject": "team:x", "server": "nowhere", "tool": "t", "effect": "maybe" }
              ]
            }
            """;

        var result = await app.Services.GetRequiredService<GovernanceImporter>().ImportAsync(document, Registrations.Admin, _cancel);

        Assert.False(result.Applied);
        Assert.Equal(["$.agents[0].keySha256", "$.agents[0].owner", "$.grants[0].subject", "$.grants[1].tool", "$.grants[2].effect", "$.grants[2].server", "$.grants[2].subject"],
            result.Errors.Select(e => e.Path).Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(await app.Services.GetRequiredService<AgentDirectory>().ListAsync(_cancel));
    }

    [Fact]
    public async Task AGrantsSection_IsTheWholeList_AndWithoutOneGrantsStay()
    {
        await using var app = new ShieldAppFactory();
        await using var upstream = await UpstreamServer.StartAsync();
        await app.ApprovedToolsAsync("crm", upstream, "lookup", "export");
        await app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("bot", null, null, [], true), Registrations.Admin, _cancel);
        var grants = app.Services.GetRequiredService<GrantBook>();
        await grants.AddAsync(new GrantInput(SubjectKind.Agent, "bot", "crm", "export", GrantEffect.Allow), Registrations.Admin, _cancel);
        var importer = app.Services.GetRequiredService<GovernanceImporter>();

        await importer.ImportAsync("""{ "version": 1, "agents": [ { "name": "bot", "owner": "ops@shield.test" } ] }""", Registrations.Admin, _cancel);
        Assert.Single(await grants.ListAsync(_cancel));

        await importer.ImportAsync("""{ "version": 1, "grants": [ { "subject": "agent:bot", "server": "crm", "tool": "lookup", "effect": "allow" } ] }""", Registrations.Admin, _cancel);

        var left = Assert.Single(await grants.ListAsync(_cancel));
        Assert.Equal("agent:bot → crm__lookup allow", left.Description);
        Assert.Equal(DecisionKind.Deny, app.Services.GetRequiredService<PolicyStore>().Current.Decide("bot", "crm", "export").Kind);
    }

    [Fact]
    public async Task AKeyOrEntraApplication_BelongsToOneAgent()
    {
        await using var app = new ShieldAppFactory();
        var key = (await app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("first-bot", null, null, [], true, "11111111-1111-1111-1111-111111111111"), Registrations.Admin, _cancel)).Value!.Key;
        var hash = SecretToken.Hash(key);
        var other = SecretToken.Hash(SecretToken.New(SecretToken.AgentKeyPrefix));
        var document = $$"""
            {
              "version": 1,
              "agents": [
                { "name": "second-bot", "keySha256": "{{hash}}" },
                { "name": "third-bot", "keySha256": "{{other}}", "entraClientId": "11111111-1111-1111-1111-111111111111" },
                { "name": "fourth-bot", "keySha256": "{{other}}" }
              ]
            }
            """;

        var result = await app.Services.GetRequiredService<GovernanceImporter>().ImportAsync(document, Registrations.Admin, _cancel);

        Assert.False(result.Applied);
        Assert.Equal(["$.agents[0].keySha256", "$.agents[1].entraClientId", "$.agents[2].keySha256"], result.Errors.Select(e => e.Path));
        Assert.Contains("first-bot", result.Errors[0].Message, StringComparison.Ordinal);

        // Moving the key from one agent to another in the same document is fine.
        var moved = await app.Services.GetRequiredService<GovernanceImporter>().ImportAsync($$"""
            { "version": 1, "agents": [ { "name": "first-bot", "keySha256": "{{other}}" }, { "name": "second-bot", "keySha256": "{{hash}}" } ] }
            """, Registrations.Admin, _cancel);
        Assert.True(moved.Applied, string.Join("; ", moved.Errors.Select(e => e.Message)));
    }
}
