using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Agents;
using Shield.Console.Auditing;
using Shield.Console.Grants;
using Shield.Console.Posture;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Core.Grants;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Posture;

public sealed class PostureReporterTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly ShieldAppFactory _app = new();
    private UpstreamServer _upstream = default!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        await _app.ApprovedToolsAsync("crm", _upstream, "lookup", "delete_record");
        await _app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("invoice-bot", null, null, [], true), Registrations.Admin, _cancel);
        var grants = _app.Services.GetRequiredService<GrantBook>();
        await grants.AddAsync(new GrantInput(SubjectKind.Agent, "invoice-bot", "crm", "lookup", GrantEffect.Allow), Registrations.Admin, _cancel);
        await grants.AddAsync(new GrantInput(SubjectKind.Agent, "invoice-bot", "crm", "delete_record", GrantEffect.Approve), Registrations.Admin, _cancel);
    }

    [Fact]
    public async Task TheReport_AnswersTheSixQuestions_FromLiveData()
    {
        await _app.Services.GetRequiredService<AuditVerifier>().VerifyAsync("auditor@shield.test", _cancel);

        var report = await _app.Services.GetRequiredService<PostureReporter>().BuildAsync(_cancel);

        var server = Assert.Single(report.Servers.List);
        Assert.Equal(("crm", 2), (server.Name, server.ToolsByState[ToolState.Approved]));
        Assert.Equal(2, report.Access.CallableTools);
        // Neither tool says it is not destructive, so both are high risk: even the allowed one needs approval.
        Assert.Equal(new PostureAgent("invoice-bot", true, 0, 2, 0), Assert.Single(report.Access.List));
        Assert.Equal(2, report.Access.Grants);
        Assert.True(report.Audit.GovernanceRecords >= 5); // the administrator, the server, two approvals, the agent, two grants...
        Assert.True(report.Audit.LastVerification is { Intact: true, By: "auditor@shield.test" });
        Assert.Equal(2, report.Approvals.GatedTools);
        Assert.Equal(TimeSpan.FromMinutes(15), report.Sessions.DefaultTtl);
        Assert.Equal(1, report.Sessions.AgentsWithKey);
    }

    [Fact]
    public async Task AnAgentsCounts_AreTheAccessMatrixs_ToolsNotApprovedAreNotCountedAsDenied()
    {
        await using var other = await UpstreamServer.StartAsync();
        other.Set("export", "The export tool.");
        await _app.HttpServerAsync("erp", other.Url);
        await _app.DiscoverAsync("erp");
        await _app.Services.GetRequiredService<AgentDirectory>().CreateAsync(new AgentInput("report-bot", null, null, [], true), Registrations.Admin, _cancel);

        var report = await _app.Services.GetRequiredService<PostureReporter>().BuildAsync(_cancel);

        var snapshot = _app.Services.GetRequiredService<Shield.Core.Policy.PolicyStore>().Current;
        Assert.Equal(["crm__delete_record", "crm__lookup"], snapshot.CallableTools.Select(t => QualifiedToolName.Of(t.Server, t.Name)));
        Assert.Equal(2, report.Access.CallableTools);
        Assert.Equal(new PostureAgent("invoice-bot", true, 0, 2, 0), report.Access.List.Single(a => a.Name == "invoice-bot"));
        Assert.Equal(new PostureAgent("report-bot", true, 0, 0, 2), report.Access.List.Single(a => a.Name == "report-bot"));
        Assert.StartsWith("Each agent's counts cover the 2 tools approved and callable on enabled servers, the columns of the access matrix", report.Access.Definition, StringComparison.Ordinal);
        Assert.Contains("tools approved and callable on enabled servers, the columns of the access matrix, and add up to 2.", PostureHtml.Render(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_CountsCallsAndRefusals_ByTheHour()
    {
        var writer = _app.Services.GetRequiredService<AuditWriter>();
        foreach (var type in new[] { AuditEventTypes.CallAllowed, AuditEventTypes.CallCompleted, AuditEventTypes.CallDenied, AuditEventTypes.CallAllowed })
        {
            await writer.AppendAsync(new AuditRecord { AtUtc = DateTime.UtcNow, EventType = type, ActorKind = "agent", ActorId = "id", ActorName = "invoice-bot" }, _cancel);
        }

        var hours = await _app.Services.GetRequiredService<PostureReporter>().ActivityAsync(24, _cancel);

        Assert.Equal(24, hours.Count);
        Assert.Equal((3, 1), (hours.Sum(h => h.Calls), hours.Sum(h => h.Refused)));
        Assert.True(hours[^1].Calls > 0 || hours[^2].Calls > 0); // the current hour (or, across the hour, the one before)
    }

    [Fact]
    public async Task TheReport_IsJsonAndPrintableHtml_ForAuditors_AndNotForReviewers()
    {
        var auditor = await _app.CreateUserAsync(ShieldAppFactory.NewEmail("auditor"), ShieldRoles.Auditor);
        var reviewer = await _app.CreateUserAsync(ShieldAppFactory.NewEmail("reviewer"), ShieldRoles.Reviewer);
        var client = await ConsoleSignIn.ApiClientAsync(_app, auditor.Email, ShieldAppFactory.Password);
        var refused = await ConsoleSignIn.ApiClientAsync(_app, reviewer.Email, ShieldAppFactory.Password);

        var json = await client.GetFromJsonAsync<JsonElement>("/api/posture", _cancel);
        var html = await client.GetAsync("/api/posture/html", _cancel);
        var page = await html.Content.ReadAsStringAsync(_cancel);

        Assert.Equal(1, json.GetProperty("servers").GetProperty("registered").GetInt32());
        // Enums by name, as in the governance document.
        var server = json.GetProperty("servers").GetProperty("list")[0];
        Assert.Equal("http", server.GetProperty("transport").GetString());
        Assert.Equal(["pending", "approved", "blocked", "quarantined", "removed"], server.GetProperty("toolsByState").EnumerateObject().Select(p => p.Name));
        Assert.Equal("high", json.GetProperty("approvals").GetProperty("riskThreshold").GetString());
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        foreach (var question in new[] { "registered?", "expose?", "which tools?", "logged?", "approval?", "expire?" })
        {
            Assert.Contains(question, page, StringComparison.Ordinal);
        }

        Assert.Contains("<td>invoice-bot</td>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await refused.GetAsync("/api/posture", _cancel)).StatusCode);
    }

    [Fact]
    public async Task SecurityEvents_AreCounted_InTheReport_ItsJson_AndItsPrintablePage()
    {
        var writer = _app.Services.GetRequiredService<AuditWriter>();
        foreach (var type in AuditEventTypes.Security.Append(AuditEventTypes.SignInFailed))
        {
            await writer.AppendAsync(new AuditRecord { AtUtc = DateTime.UtcNow, EventType = type, ActorKind = "person", ActorId = "", ActorName = "someone@shield.test" }, _cancel);
        }

        var auditor = await _app.CreateUserAsync(ShieldAppFactory.NewEmail("auditor"), ShieldRoles.Auditor);
        var client = await ConsoleSignIn.ApiClientAsync(_app, auditor.Email, ShieldAppFactory.Password);
        var report = await _app.Services.GetRequiredService<PostureReporter>().BuildAsync(_cancel);
        var json = (await client.GetFromJsonAsync<JsonElement>("/api/posture", _cancel)).GetProperty("securityEvents");
        var page = await client.GetStringAsync("/api/posture/html", _cancel);

        Assert.Equal(new PostureSecurityEvents(2, 1, 1, 1, 1, 1, 1), report.SecurityEvents);
        Assert.Equal([2, 1, 1, 1, 1, 1, 1], new[] { "failedSignIns", "accountsLockedOut", "clientsThrottled", "sessionsRefused", "sessionsWithToolsRefused", "failedDiscoveries", "requestsRefused" }
            .Select(name => json.GetProperty(name).GetInt64()));
        Assert.Contains("Security events in the trail", page, StringComparison.Ordinal);
        Assert.Contains("2 failed sign-ins, 1 account locked", page, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHtml_EncodesEverythingItShows()
    {
        var report = new PostureReport(DateTime.UtcNow,
            new PostureServers(1, 1, [new PostureServer("<script>alert(1)</script>", ServerTransport.Http, true, null, null, new Dictionary<ToolState, int> { [ToolState.Approved] = 0 })]),
            new PostureAccess(0, 0, 0, 0, []),
            new PostureAudit(0, 0, 0, null, null, new PostureVerification(DateTime.UtcNow, false, 1, 2, "<img src=x onerror=alert(1)>", "<b>me</b>"), null,
                new PostureIntegrity("database", "<script>k</script>", "/a<b>", null, 0, null, 0, 0)),
            new PostureApprovals(RiskLevel.High, 0, 0, 0, 0, 0),
            new PostureSessions(TimeSpan.FromMinutes(15), TimeSpan.FromHours(8), 0, 0, 0),
            new PostureSecurityEvents(0, 0, 0, 0, 0, 0, 0));

        var html = PostureHtml.Render(report);

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>me", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePrintableReport_NamesStatesInWords_AndCountsOneAsOne()
    {
        var report = new PostureReport(DateTime.UtcNow,
            new PostureServers(1, 1, [new PostureServer("crm", ServerTransport.Http, true, null, null, new Dictionary<ToolState, int> { [ToolState.Approved] = 1, [ToolState.PendingReview] = 1 })]),
            new PostureAccess(1, 1, 1, 1, [new PostureAgent("invoice-bot", true, 1, 0, 0)]),
            new PostureAudit(1, 0, 1, null, null, null, null, new PostureIntegrity("database", null, "/anchors", null, 0, null, 0, 0)),
            new PostureApprovals(RiskLevel.High, 1, 0, 0, 0, 0),
            new PostureSessions(TimeSpan.FromMinutes(15), TimeSpan.FromHours(8), 0, 1, 0),
            new PostureSecurityEvents(1, 0, 0, 0, 0, 1, 0));

        var html = PostureHtml.Render(report);

        Assert.Contains("<th>Pending review</th>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("PendingReview", html, StringComparison.Ordinal);
        Assert.Contains("1 tool approved and callable", html, StringComparison.Ordinal);
        Assert.Contains("1 agent (1 enabled), 1 grant.", html, StringComparison.Ordinal);
        Assert.Contains("1 audit record (", html, StringComparison.Ordinal);
        Assert.Contains("1 failed sign-in, 0 accounts locked", html, StringComparison.Ordinal);
        Assert.Contains("1 failed discovery.", html, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _upstream.DisposeAsync();
    }
}
