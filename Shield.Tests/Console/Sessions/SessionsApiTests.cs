using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Agents;
using Shield.Console.Grants;
using Shield.Console.Sessions;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Sessions;

/// <summary>Agents mint task-scoped sessions with their key; expiry, end and revocation take effect at once.</summary>
public sealed class SessionsApiTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private ShieldAppFactory _app = default!;
    private UpstreamServer _upstream = default!;
    private string _key = "";

    public async ValueTask InitializeAsync()
    {
        _app = new ShieldAppFactory { TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)) };
        _upstream = await UpstreamServer.StartAsync();
        await _app.ApprovedToolsAsync("crm", _upstream, "lookup", "delete_record", "export");
        var agents = _app.Services.GetRequiredService<AgentDirectory>();
        _key = (await agents.CreateAsync(new AgentInput("invoice-bot", "Pays invoices", "finance@shield.test", ["finance-bots"], true), Registrations.Admin, _cancel)).Value!.Key;
        var grants = _app.Services.GetRequiredService<GrantBook>();
        await grants.AddAsync(new GrantInput(SubjectKind.Agent, "invoice-bot", "crm", "lookup", GrantEffect.Allow), Registrations.Admin, _cancel);
        await grants.AddAsync(new GrantInput(SubjectKind.Role, "finance-bots", "crm", "delete_record", GrantEffect.Approve), Registrations.Admin, _cancel);
    }

    [Fact]
    public async Task AnAgent_MintsASessionForItsGrantedTools_AndIsToldWhichWereRefused()
    {
        var response = await Agent().PostAsJsonAsync("/api/sessions",
            new { task = "Pay the November invoices", tools = new[] { "crm__lookup", "crm__delete_record", "crm__export", "nonsense" }, ttlSeconds = 600 }, _cancel);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var token = session.GetProperty("token").GetString()!;
        Assert.StartsWith("shs_", token, StringComparison.Ordinal);
        Assert.Equal(47, token.Length);
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddMinutes(10), session.GetProperty("expiresAt").GetDateTime());
        Assert.Equal(["crm__lookup", "crm__delete_record"], session.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["crm__export", "nonsense"], session.GetProperty("refused").EnumerateArray().Select(r => r.GetProperty("tool").GetString()));
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var stored = await db.Sessions.SingleAsync(_cancel);
        Assert.NotEqual(token, stored.TokenSha256);
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Message.Contains(token, StringComparison.Ordinal) || e.Message.Contains(_key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToolsWrittenEitherWay_OrByTheirOwnNameWhenOnlyOneServerHasIt_AreAnsweredByTheirOneName()
    {
        await using var other = await UpstreamServer.StartAsync();
        await _app.ApprovedToolsAsync("erp", other, "lookup");

        var response = await Agent().PostAsJsonAsync("/api/sessions",
            new { task = "Pay the November invoices", tools = new[] { "crm/lookup", "crm__lookup", "delete_record", "lookup", "crm/" } }, _cancel);
        var session = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(["crm__lookup", "crm__delete_record"], session.GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        var refused = session.GetProperty("refused").EnumerateArray().ToDictionary(r => r.GetProperty("tool").GetString()!, r => r.GetProperty("reason").GetString());
        Assert.Equal("More than one server has a tool named 'lookup': name it as <server>__lookup.", refused["lookup"]);
        Assert.Equal("Name tools as <server>__<tool> (or <server>/<tool>).", refused["crm/"]);
        Assert.Equal(2, refused.Count);
    }

    [Fact]
    public async Task WithoutAToolList_TheSessionHoldsEveryToolTheAgentMayUse()
    {
        var session = await MintAsync();

        Assert.Equal(["crm__delete_record", "crm__lookup"], session.GetProperty("tools").EnumerateArray().Select(t => t.GetString()).Order());
    }

    [Fact]
    public async Task ExpiryEndAndRevocation_TakeEffectAtTheVeryNextCheck()
    {
        var issuer = _app.Services.GetRequiredService<SessionIssuer>();
        var expiring = await MintAsync(ttlSeconds: 60);
        var ended = await MintAsync();
        var revoked = await MintAsync();
        foreach (var live in new[] { expiring, ended, revoked })
        {
            Assert.NotNull(await issuer.CheckAsync(live.GetProperty("token").GetString(), _cancel));
        }

        _time.Advance(TimeSpan.FromSeconds(60));
        var end = await Agent().DeleteAsync($"/api/sessions/{ended.GetProperty("id").GetGuid()}", _cancel);
        await issuer.RevokeAsync(revoked.GetProperty("id").GetGuid(), Registrations.Admin, _cancel);

        Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        Assert.Null(await issuer.CheckAsync(expiring.GetProperty("token").GetString(), _cancel));
        Assert.Null(await issuer.CheckAsync(ended.GetProperty("token").GetString(), _cancel));
        Assert.Null(await issuer.CheckAsync(revoked.GetProperty("token").GetString(), _cancel));
    }

    [Fact]
    public async Task ARevocationMadeByAnotherInstance_ReachesThisOneWithinTheCacheLifetime()
    {
        var issuer = _app.Services.GetRequiredService<SessionIssuer>();
        var session = await MintAsync();
        var token = session.GetProperty("token").GetString();
        Assert.NotNull(await issuer.CheckAsync(token, _cancel));
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel))
        {
            await db.Sessions.ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAtUtc, _time.GetUtcNow().UtcDateTime), _cancel);
        }

        _time.Advance(SessionIssuer.CacheLifetime);

        Assert.Null(await issuer.CheckAsync(token, _cancel));
    }

    [Theory]
    [InlineData(0, "ttlSeconds")]
    [InlineData(-5, "ttlSeconds")]
    [InlineData(8 * 3600 + 1, "ttlSeconds")]
    public async Task ALifetimeOutOfBounds_Is400(int ttl, string field)
    {
        var response = await Agent().PostAsJsonAsync("/api/sessions", new { task = "t", ttlSeconds = ttl }, _cancel);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task NothingGranted_Is403_WithTheReasons()
    {
        var response = await Agent().PostAsJsonAsync("/api/sessions", new { task = "Export everything", tools = new[] { "crm__export" } }, _cancel);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("No grant gives this agent", problem.GetProperty("refused")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedRequest_IsRecorded_WithTheAgent_TheTaskRedacted_AndEachToolsReason()
    {
        var response = await Agent().PostAsJsonAsync("/api/sessions", new { task = "Export for ada@example.com", tools = new[] { "crm__export", "nonsense" } }, _cancel);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var record = Assert.Single(await _app.RecordsAsync(AuditEventTypes.SessionRefused));
        Assert.Equal(("agent", "invoice-bot", "mint", "refused", null), (record.ActorKind, record.ActorName, record.Action, record.Outcome, record.SessionId));
        Assert.Equal("None of the requested tools is granted to this agent.", record.Reason);
        Assert.Equal("Export for [REDACTED:email]", record.Task);
        var refused = JsonDocument.Parse(record.After!).RootElement.GetProperty("refused");
        Assert.Equal(["crm__export", "nonsense"], refused.EnumerateArray().Select(r => r.GetProperty("tool").GetString()));
        Assert.Contains("No grant gives this agent", refused[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolsLeftOutOfAMintedSession_AreRecordedOnItsTimeline_AfterItsCreation()
    {
        var response = await Agent().PostAsJsonAsync("/api/sessions", new { task = "Look up", tools = new[] { "crm__lookup", "crm__export" } }, _cancel);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("id").GetGuid();
        await MintAsync(); // no tool list: every granted tool, and nothing refused to record

        var timeline = (await _app.RecordsAsync(AuditEventTypes.Governance, AuditEventTypes.SessionToolsRefused)).Where(r => r.SessionId == id).ToList();

        Assert.Equal([AuditEventTypes.Governance, AuditEventTypes.SessionToolsRefused], timeline.Select(r => r.EventType));
        var refused = timeline[1];
        Assert.Equal(("invoice-bot", "Look up", "1 of the tools asked for was left out of the session."), (refused.ActorName, refused.Task, refused.Reason));
        Assert.Equal("crm__export", JsonDocument.Parse(refused.After!).RootElement.GetProperty("refused")[0].GetProperty("tool").GetString());
        Assert.Single(await _app.RecordsAsync(AuditEventTypes.SessionToolsRefused));
    }

    [Theory]
    [InlineData("shk_wrongwrongwrongwrongwrongwrongwrongwrongwro", "not valid")]
    [InlineData("shs_wrongwrongwrongwrongwrongwrongwrongwrongwro", "A session token cannot mint sessions")]
    [InlineData("eyJhbGciOi.not-an-agent-key", "An agent key is shk_ followed by 43 characters of A-Z, a-z, 0-9, - and _ (47 characters in all)")]
    [InlineData("shk_too-short", "and this credential is not one. Send the agent's key")]
    [InlineData("shk_wrongwrongwrongwrongwrongwrongwrongwron+", "47 characters in all")]
    public async Task WrongCredentials_Are401_SayingWhy(string credential, string reason)
    {
        var client = _app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);

        var response = await client.PostAsJsonAsync("/api/sessions", new { task = "t" }, _cancel);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADisabledAgent_OrARotatedKey_CannotMint_AndAnAgentKeyOpensNothingElse()
    {
        var agents = _app.Services.GetRequiredService<AgentDirectory>();
        var old = Agent();
        var rotated = (await agents.RotateKeyAsync("invoice-bot", Registrations.Admin, _cancel)).Value!.Key;

        Assert.Equal(HttpStatusCode.Unauthorized, (await old.PostAsJsonAsync("/api/sessions", new { task = "t" }, _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Agent(rotated).PostAsJsonAsync("/api/sessions", new { task = "t" }, _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Agent(rotated).GetAsync("/api/me", _cancel)).StatusCode);

        await agents.SetEnabledAsync("invoice-bot", false, Registrations.Admin, _cancel);
        var disabled = await Agent(rotated).PostAsJsonAsync("/api/sessions", new { task = "t" }, _cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, disabled.StatusCode);
        Assert.Contains("disabled", await disabled.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        // The disabled agent's attempt is recorded; the old key names nobody, so its attempt is not.
        var record = Assert.Single(await _app.RecordsAsync(AuditEventTypes.SessionRefused));
        Assert.Equal(("invoice-bot", "mint", "The agent invoice-bot is disabled."), (record.ActorName, record.Action, record.Reason));
    }

    [Theory]
    [InlineData("disable")]
    [InlineData("rotate")]
    [InlineData("revoke")]
    public async Task DisablingAnAgent_OrReplacingItsKey_EndsItsLiveSessionsAtOnce(string change)
    {
        var issuer = _app.Services.GetRequiredService<SessionIssuer>();
        var agents = _app.Services.GetRequiredService<AgentDirectory>();
        var token = (await MintAsync()).GetProperty("token").GetString();
        Assert.NotNull(await issuer.CheckAsync(token, _cancel));

        var changed = change switch
        {
            "disable" => (await agents.SetEnabledAsync("invoice-bot", false, Registrations.Admin, _cancel)).Refusal,
            "rotate" => (await agents.RotateKeyAsync("invoice-bot", Registrations.Admin, _cancel)).Refusal,
            _ => (await agents.RevokeKeyAsync("invoice-bot", Registrations.Admin, _cancel)).Refusal,
        };

        Assert.Null(changed);
        Assert.Null(await issuer.CheckAsync(token, _cancel));
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        Assert.NotNull((await db.Sessions.SingleAsync(_cancel)).EndedAtUtc);
        var decision = _app.Services.GetRequiredService<Shield.Core.Policy.PolicyStore>().Current.Decide("invoice-bot", "crm", "lookup").Kind;
        Assert.Equal(change == "disable" ? Shield.Core.Policy.DecisionKind.Deny : Shield.Core.Policy.DecisionKind.RequireApproval, decision);
    }

    [Fact]
    public async Task AToolListWithNullsOrTooManyEntries_IsRefusedCleanly()
    {
        using var body = new StringContent("""{ "task": "t", "tools": [null, "crm__lookup", "crm__lookup"] }""", System.Text.Encoding.UTF8, "application/json");
        var nulls = await Agent().PostAsync("/api/sessions", body, _cancel);
        var many = await Agent().PostAsJsonAsync("/api/sessions", new { task = "t", tools = Enumerable.Range(0, 1_001).Select(i => $"crm__t{i}") }, _cancel);

        Assert.Equal(HttpStatusCode.Created, nulls.StatusCode);
        Assert.Equal(["crm__lookup"], (await nulls.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("tools").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
    }

    [Fact]
    public async Task AGrantRemovedLater_TakesTheToolAwayFromLiveSessions()
    {
        await MintAsync();
        var grants = _app.Services.GetRequiredService<GrantBook>();
        var policy = _app.Services.GetRequiredService<Shield.Core.Policy.PolicyStore>();
        // Discovered without annotations, the tool's risk is high: granted, it still needs approval; revoked, it is denied.
        Assert.Equal(Shield.Core.Policy.DecisionKind.RequireApproval, policy.Current.Decide("invoice-bot", "crm", "lookup").Kind);

        var lookup = (await grants.ListAsync(_cancel)).Single(g => g.Tool == "lookup");
        await grants.RemoveAsync(lookup.Id, Registrations.Admin, _cancel);

        Assert.Equal(Shield.Core.Policy.DecisionKind.Deny, policy.Current.Decide("invoice-bot", "crm", "lookup").Kind);
    }

    [Fact]
    public async Task AnAgentCannotEndAnotherAgentsSession()
    {
        var other = (await _app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("other-bot", null, null, ["finance-bots"], true), Registrations.Admin, _cancel)).Value!.Key;
        var session = await MintAsync();

        var response = await Agent(other).DeleteAsync($"/api/sessions/{session.GetProperty("id").GetGuid()}", _cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotNull(await _app.Services.GetRequiredService<SessionIssuer>().CheckAsync(session.GetProperty("token").GetString(), _cancel));
    }

    private HttpClient Agent(string? key = null)
    {
        var client = _app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key ?? _key);
        return client;
    }

    private async Task<JsonElement> MintAsync(int? ttlSeconds = null)
    {
        var response = await Agent().PostAsJsonAsync("/api/sessions", new { task = "A task", ttlSeconds }, _cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }
}
