using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol;
using Shield.Console.Agents;
using Shield.Console.Approvals;
using Shield.Console.Grants;
using Shield.Console.Registry;
using Shield.Core.Approvals;
using Shield.Core.Grants;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary>Who may approve, how many must, and what happens when nobody does.</summary>
public sealed class ApprovalRulesTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private RelayHarness _relay = default!;
    private ApprovalWatch _watch = default!;

    public async ValueTask InitializeAsync()
    {
        _relay = await RelayHarness.StartAsync(new ShieldAppFactory { TestServices = s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)) });
        _watch = new ApprovalWatch(_relay.App);
    }

    public async ValueTask DisposeAsync()
    {
        _watch.Dispose();
        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task AReviewer_CannotApproveACallOfAnAgentActingForThem_WhateverTheSpelling_ButAnotherReviewerCan()
    {
        var owner = ShieldAppFactory.NewEmail("reviewer");
        using var self = await ApprovalFlowTests.ReviewerAsync(_relay, owner);
        using var other = await ApprovalFlowTests.ReviewerAsync(_relay);
        var key = (await _relay.App.Services.GetRequiredService<AgentDirectory>()
            .CreateAsync(new AgentInput("owned-bot", "Acts for a reviewer", $" The Reviewer <{owner.ToUpperInvariant()}>\u200B", [], true), Registrations.Admin, _cancel)).Value!.Key;
        await _relay.App.Services.GetRequiredService<GrantBook>()
            .AddAsync(new GrantInput(SubjectKind.Agent, "owned-bot", "crm", "delete_record", GrantEffect.Approve), Registrations.Admin, _cancel);
        await using var agent = await _relay.ConnectAsync((await _relay.MintAsync(key: key)).GetProperty("token").GetString()!);
        var call = agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "1" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        var refused = await DecideAsync(self, pending.Id, true);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("acts for you", await refused.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(other, pending.Id, true)).StatusCode);
        await call;
    }

    [Fact]
    public async Task ACriticalTool_NeedsTwoDifferentReviewers()
    {
        await SetRiskAsync("delete_record", RiskLevel.Critical);
        using var first = await ApprovalFlowTests.ReviewerAsync(_relay);
        using var second = await ApprovalFlowTests.ReviewerAsync(_relay);
        await using var agent = await _relay.ConnectAsync(await _relay.TokenAsync());
        var call = agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "1" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal(2, pending.RequiredApprovals);

        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(first, pending.Id, true)).StatusCode);
        var halfway = await _watch.NextAsync(ApprovalEventKind.Updated);
        Assert.Equal(ApprovalStatus.Pending, halfway.Status);
        Assert.Single(halfway.ApprovedBy);
        Assert.False(call.IsCompleted);
        var twice = await DecideAsync(first, pending.Id, true);
        Assert.Equal(HttpStatusCode.Forbidden, twice.StatusCode);
        Assert.Contains("already approved", await twice.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(second, pending.Id, true)).StatusCode);

        await call;
        Assert.Equal(2, (await _watch.NextAsync(ApprovalEventKind.Decided)).ApprovedBy.Count);
        var posture = (await _relay.App.Services.GetRequiredService<Shield.Console.Posture.PostureReporter>().BuildAsync(_cancel)).Approvals;
        Assert.Equal((1, 1), (posture.Requested, posture.Approved)); // one call, approved by two reviewers
    }

    [Fact]
    public async Task ARequestNobodyDecides_ExpiresAfterTheTimeout_AndTheCallIsDenied()
    {
        using var reviewer = await ApprovalFlowTests.ReviewerAsync(_relay);
        await using var agent = await _relay.ConnectAsync(await _relay.TokenAsync());
        var call = agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "1" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        _time.Advance(TimeSpan.FromMinutes(5));

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => call);
        Assert.Contains("Approval expired: No reviewer decided in time", error.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Expired, (await _watch.NextAsync(ApprovalEventKind.Decided)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await DecideAsync(reviewer, pending.Id, true)).StatusCode);
    }

    [Fact]
    public async Task AUserWithoutTheReviewerRole_CannotSeeOrDecideApprovals()
    {
        var auditor = ShieldAppFactory.NewEmail("auditor");
        await _relay.App.CreateUserAsync(auditor, Shield.Core.Accounts.ShieldRoles.Auditor);
        using var client = new HttpClient { BaseAddress = new Uri(_relay.Root) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await ConsoleSignIn.LoginAsync(client, auditor, ShieldAppFactory.Password)).GetProperty("accessToken").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/approvals", _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await DecideAsync(client, Guid.NewGuid(), true)).StatusCode);
    }

    private async Task SetRiskAsync(string tool, RiskLevel risk)
    {
        var found = (await _relay.App.ToolsAsync("crm")).Single(t => t.Name == tool);
        await _relay.App.Services.GetRequiredService<ToolReview>().SetRiskAsync(found.Id, risk, Registrations.Admin, _cancel);
    }

    private Task<HttpResponseMessage> DecideAsync(HttpClient reviewer, Guid id, bool approve) =>
        reviewer.PostAsJsonAsync($"/api/approvals/{id}/decision", new { approve, reason = approve ? null : "No" }, _cancel);
}
