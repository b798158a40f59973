using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Shield.Console.Approvals;
using Shield.Core.Accounts;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary>A call that needs approval waits in the relay for a reviewer, who decides through the API.</summary>
public sealed class ApprovalFlowTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;
    private ApprovalWatch _watch = default!;
    private HttpClient _reviewer = default!;
    private McpClient _agent = default!;
    private int _calls;

    public async ValueTask InitializeAsync()
    {
        _relay = await RelayHarness.StartAsync();
        _watch = new ApprovalWatch(_relay.App);
        _reviewer = await ReviewerAsync(_relay);
        _agent = await _relay.ConnectAsync(await _relay.TokenAsync());
        _relay.Upstream.OnCall = (request, _) =>
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "deleted " + request.Params!.Arguments!["text"].GetString() }] });
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _agent.DisposeAsync();
        _watch.Dispose();
        _reviewer.Dispose();
        await _relay.DisposeAsync();
    }

    /// <summary>A new reviewer's API client on the relay's socket.</summary>
    public static async Task<HttpClient> ReviewerAsync(RelayHarness relay, string? email = null)
    {
        email ??= ShieldAppFactory.NewEmail("reviewer");
        await relay.App.CreateUserAsync(email, ShieldRoles.Reviewer);
        var client = new HttpClient { BaseAddress = new Uri(relay.Root) };
        var token = (await ConsoleSignIn.LoginAsync(client, email, ShieldAppFactory.Password)).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    [Fact]
    public async Task ACallNeedingApproval_WaitsForAReviewer_ThenReachesTheUpstream_AndTheTrailLinksEveryStep()
    {
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        Assert.False(call.IsCompleted);
        Assert.Equal(0, _calls);
        Assert.Equal(("invoice-bot", "Pay the November invoices", "crm__delete_record", Shield.Core.Registry.RiskLevel.Low), (pending.Agent, pending.Task, pending.QualifiedTool, pending.Risk));
        Assert.Contains("requires a person to approve each call", pending.Reason, StringComparison.Ordinal);
        var decided = await DecideAsync(pending.Id, true, "Checked with finance");
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);

        var result = await call;
        Assert.Equal("deleted 42", Assert.IsType<TextContentBlock>(result.Content.Single()).Text);
        Assert.Equal(1, _calls);
        var trail = await TrailAsync();
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallApproved, AuditEventTypes.CallCompleted], trail.Select(r => r.EventType));
        Assert.All(trail, r => Assert.Equal(pending.Id, r.ApprovalId));
        Assert.All(trail, r => Assert.Equal(trail[0].ArgumentsFingerprint, r.ArgumentsFingerprint));
        Assert.Equal(("person", "approved", "Checked with finance"), (trail[1].ActorKind, trail[1].Outcome, trail[1].Reason));
        Assert.Equal(trail[1].ActorName, trail[2].Reviewer);
        Assert.NotNull(trail[1].DurationMicroseconds);
    }

    [Fact]
    public async Task ADeniedCall_FailsWithTheReviewersReason_AndNeverReachesTheUpstream()
    {
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        var noReason = await DecideAsync(pending.Id, false, " ");
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("Say why the call is denied", await noReason.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(pending.Id, false, "Record 42 is under legal hold")).StatusCode);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => call);
        Assert.Contains("Record 42 is under legal hold", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _calls);
        var trail = await TrailAsync();
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallRejected], trail.Select(r => r.EventType));
        Assert.Equal("Record 42 is under legal hold", trail[1].Reason);
    }

    [Fact]
    public async Task AnApproval_LetsExactlyOneCallThrough_Once()
    {
        var first = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);
        await DecideAsync(pending.Id, true, null);
        await first;

        // The same request cannot be decided again or used again, and the same call asks a person again.
        Assert.Equal(HttpStatusCode.Conflict, (await DecideAsync(pending.Id, true, null)).StatusCode);
        var desk = _relay.App.Services.GetRequiredService<ApprovalDesk>();
        Assert.False(await desk.ConsumeAsync(pending.Id, pending.SessionId, "crm", "delete_record", pending.ArgumentsFingerprint));
        var again = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var second = await _watch.NextAsync(ApprovalEventKind.Requested);
        Assert.NotEqual(pending.Id, second.Id);
        Assert.Equal(pending.ArgumentsFingerprint, second.ArgumentsFingerprint);
        Assert.Equal(1, _calls);
        await DecideAsync(second.Id, true, null);
        await again;
        Assert.Equal(2, _calls);
    }

    [Fact]
    public async Task AnApproval_IsBoundToItsSessionToolAndArguments()
    {
        var desk = _relay.App.Services.GetRequiredService<ApprovalDesk>();
        var request = new ApprovalRequest
        {
            SessionId = Guid.NewGuid(), AgentName = "invoice-bot", Task = "t", Server = "crm", Tool = "delete_record", Reason = "r",
            ArgumentsFingerprint = "hmac:42", RequestedAtUtc = DateTime.UtcNow, ExpiresAtUtc = DateTime.UtcNow.AddMinutes(5),
        };
        var verdict = await desk.OpenAsync(request);
        Assert.Equal(HttpStatusCode.OK, (await DecideAsync(request.Id, true, null)).StatusCode);
        Assert.True((await verdict).IsApproved);

        Assert.False(await desk.ConsumeAsync(request.Id, request.SessionId, "crm", "delete_record", "hmac:other"));
        Assert.False(await desk.ConsumeAsync(request.Id, Guid.NewGuid(), "crm", "delete_record", "hmac:42"));
        Assert.False(await desk.ConsumeAsync(request.Id, request.SessionId, "crm", "lookup", "hmac:42"));
        Assert.True(await desk.ConsumeAsync(request.Id, request.SessionId, "crm", "delete_record", "hmac:42"));
        Assert.False(await desk.ConsumeAsync(request.Id, request.SessionId, "crm", "delete_record", "hmac:42"));
    }

    [Fact]
    public async Task ACallApprovedAfterItsGrantTurnedToDeny_IsRefused_AndNeverReachesTheUpstream()
    {
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);
        var book = _relay.App.Services.GetRequiredService<Shield.Console.Grants.GrantBook>();
        var grant = (await book.ListAsync(_cancel)).Single(g => g.Tool == "delete_record");
        await book.RemoveAsync(grant.Id, Registrations.Admin, _cancel);
        await book.AddAsync(new(Shield.Core.Grants.SubjectKind.Agent, "invoice-bot", "crm", "delete_record", Shield.Core.Grants.GrantEffect.Deny), Registrations.Admin, _cancel);

        await DecideAsync(pending.Id, true, null);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => call);
        Assert.Contains("while it waited Shield's policy changed", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _calls);
        Assert.Equal(AuditEventTypes.CallDenied, (await TrailAsync())[^1].EventType);
    }

    [Fact]
    public async Task ACallApprovedByOneReviewer_AfterItsToolWasRaisedToCritical_IsRefused_AndNeverReachesTheUpstream()
    {
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);
        var tool = (await _relay.App.ToolsAsync("crm")).Single(t => t.Name == "delete_record");
        await _relay.App.Services.GetRequiredService<Shield.Console.Registry.ToolReview>().SetRiskAsync(tool.Id, Shield.Core.Registry.RiskLevel.Critical, Registrations.Admin, _cancel);

        await DecideAsync(pending.Id, true, null);

        var error = await Assert.ThrowsAsync<McpProtocolException>(() => call);
        Assert.Contains("while it waited the tool was raised to critical risk", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, _calls);
        Assert.Equal(AuditEventTypes.CallDenied, (await TrailAsync())[^1].EventType);
    }

    [Fact]
    public async Task TheReviewerSeesTheArgumentsRedacted_InTheApi_AndNeverAsGiven()
    {
        const string Secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = $"alice@example.com {Secret}" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        var listed = await _reviewer.GetStringAsync("/api/approvals?status=pending", _cancel);
        var item = Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray());
        Assert.Equal(pending.Id, item.GetProperty("id").GetGuid());
        Assert.Equal(("pending", "low"), (item.GetProperty("status").GetString(), item.GetProperty("risk").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await _reviewer.GetAsync("/api/approvals?status=0", _cancel)).StatusCode); // names only
        var arguments = item.GetProperty("arguments").GetString()!;
        Assert.Contains("[REDACTED", arguments, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain("alice@example.com", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, JsonSerializer.Serialize(pending), StringComparison.Ordinal);
        await DecideAsync(pending.Id, false, "No");
        await Assert.ThrowsAsync<McpProtocolException>(() => call);
    }

    [Fact]
    public async Task TheSessionsTask_IsRedactedLikeArguments_InTheQueueTheApiTheSessionsAndTheTrail()
    {
        const string Task = "Refund ada@example.com, db password=hunter2, card 4111 1111 1111 1111";
        const string Redacted = "Refund [REDACTED:email], db password=[REDACTED:secret], card [REDACTED:card]";
        await using var agent = await _relay.ConnectAsync((await _relay.MintAsync(task: Task)).GetProperty("token").GetString()!);
        var call = agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "7" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        Assert.Equal(Redacted, pending.Task);
        var listed = await _reviewer.GetStringAsync("/api/approvals?status=pending", _cancel);
        Assert.Equal(Redacted, Assert.Single(JsonDocument.Parse(listed).RootElement.EnumerateArray()).GetProperty("task").GetString());
        Assert.Contains(await _relay.App.Services.GetRequiredService<Shield.Console.Sessions.SessionIssuer>().ListLiveAsync(_cancel), s => s.Task == Redacted);
        await DecideAsync(pending.Id, true, null);
        await call;
        var trail = await TrailAsync();
        Assert.All(trail, r => Assert.Equal(Redacted, r.Task));
        await using var db = await _relay.App.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var recorded = string.Join(" ", await db.AuditRecords.AsNoTracking().Select(r => r.Task + " " + r.After).ToListAsync(_cancel))
            + string.Join(" ", await db.Sessions.AsNoTracking().Select(s => s.Task).ToListAsync(_cancel))
            + string.Join(" ", await db.ApprovalRequests.AsNoTracking().Select(a => a.Task).ToListAsync(_cancel))
            + string.Join(" ", await db.GovernanceChanges.AsNoTracking().Select(c => c.After).ToListAsync(_cancel));
        Assert.DoesNotContain("hunter2", recorded, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", recorded, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdministratorsRedactionRules_ApplyToTheNextCall_InTheQueueAndTheTrail()
    {
        var rules = new Shield.Core.Redaction.RedactionRules(["customer_ref"], [new("employee-id", @"EMP-\d{6}")]);
        Assert.Null(await _relay.App.Services.GetRequiredService<Shield.Console.Redaction.RedactionBook>()
            .SaveAsync(Shield.Core.Redaction.RedactionRules.None, rules, Registrations.Admin, _cancel));

        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "for EMP-123456", ["customer_ref"] = "C-991" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        Assert.Equal("""{"text":"for [REDACTED:employee-id]","customer_ref":"[REDACTED:secret]"}""", pending.Arguments);
        await DecideAsync(pending.Id, false, "No");
        await Assert.ThrowsAsync<McpProtocolException>(() => call);
        Assert.All(await TrailAsync(), r => Assert.Equal(pending.Arguments, r.RedactedArguments));
    }

    [Fact]
    public async Task WhileItWaits_TheAgentHearsProgress_ThatSaysItWaitsForApproval()
    {
        var heard = new TaskCompletionSource<ProgressNotificationValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" },
            new SynchronousProgress(value => heard.TrySetResult(value)), cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        var progress = await heard.Task.WaitAsync(_cancel);
        Assert.Contains($"Waiting for a reviewer to approve the call (approval {pending.Id})", progress.Message, StringComparison.Ordinal);
        Assert.Equal(300, progress.Total);
        await DecideAsync(pending.Id, true, null);
        await call;
    }

    [Fact]
    public async Task AnAgentsCancel_WithdrawsTheRequest_FromTheQueue()
    {
        // As a client that follows the protocol does: the request under a known id, then notifications/cancelled for it.
        var call = _agent.SendRequestAsync(new JsonRpcRequest
        {
            Id = new RequestId("held-1"),
            Method = RequestMethods.ToolsCall,
            Params = JsonNode.Parse("""{"name":"crm__delete_record","arguments":{"text":"42"}}"""),
        }, _cancel);
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        await _agent.SendNotificationAsync(NotificationMethods.CancelledNotification, new CancelledNotificationParams { RequestId = new RequestId("held-1") }, cancellationToken: _cancel);
        var withdrawn = await _watch.NextAsync(ApprovalEventKind.Decided);

        Assert.Equal((pending.Id, ApprovalStatus.Withdrawn), (withdrawn.Id, withdrawn.Status));
        Assert.Equal("The agent stopped waiting: it cancelled the call, or its MCP session ended.", withdrawn.DecisionReason);
        Assert.False(call.IsCompleted); // a cancelled request gets no answer
        Assert.Equal(HttpStatusCode.Conflict, (await DecideAsync(pending.Id, true, null)).StatusCode);
        Assert.Empty(_relay.App.Services.GetRequiredService<ApprovalFeed>().Pending);
        Assert.Equal(0, _calls);
        Assert.Contains(await TrailAsync(), r => r.EventType == AuditEventTypes.CallWithdrawn && r.ApprovalId == pending.Id);
    }

    [Fact]
    public async Task AnAgentThatStopsWaiting_HasItsCallWithdrawnAtOnce_AndALateApprovalIsRefusedAndRecorded()
    {
        // The C# SDK client, when its caller gives up, drops the HTTP request without notifications/cancelled.
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(_cancel);
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: giveUp.Token).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        await giveUp.CancelAsync();

        var withdrawn = await _watch.NextAsync(ApprovalEventKind.Decided);
        Assert.Equal((pending.Id, ApprovalStatus.Withdrawn), (withdrawn.Id, withdrawn.Status));
        Assert.Equal("The agent stopped waiting: its request was aborted or its connection closed.", withdrawn.DecisionReason);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        var listed = JsonDocument.Parse(await _reviewer.GetStringAsync("/api/approvals?status=withdrawn", _cancel)).RootElement;
        Assert.Equal(pending.Id, Assert.Single(listed.EnumerateArray()).GetProperty("id").GetGuid());

        var late = await DecideAsync(pending.Id, true, null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("The agent stopped waiting: its request was aborted or its connection closed. The call was withdrawn and can no longer be decided.",
            await late.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(0, _calls);
        var trail = await TrailAsync();
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallWithdrawn, AuditEventTypes.CallDecisionRefused], trail.Select(r => r.EventType));
        Assert.All(trail, r => Assert.Equal(pending.Id, r.ApprovalId));
        Assert.Equal(("agent", "withdrawn"), (trail[1].ActorKind, trail[1].Outcome));
        Assert.Equal(("person", "refused"), (trail[2].ActorKind, trail[2].Outcome));
        Assert.StartsWith("The approval was refused: The agent stopped waiting", trail[2].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokingTheSession_WhileACallWaits_WithdrawsTheRequest()
    {
        var call = _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        await _relay.App.Services.GetRequiredService<Shield.Console.Sessions.SessionIssuer>().RevokeAsync(pending.SessionId, Registrations.Admin, _cancel);

        var withdrawn = await _watch.NextAsync(ApprovalEventKind.Decided);
        Assert.Equal((pending.Id, ApprovalStatus.Withdrawn), (withdrawn.Id, withdrawn.Status));
        Assert.StartsWith("The agent stopped waiting: ", withdrawn.DecisionReason, StringComparison.Ordinal);
        Assert.False(call.IsCompletedSuccessfully); // the closed MCP session never answers it
        Assert.Equal(0, _calls);
    }

    [Fact]
    public async Task WhenShieldCannotStoreTheRequest_TheCallIsRefusedClearly_AndNobodyIsAsked()
    {
        Assert.Equal(2, (await _agent.ListToolsAsync(cancellationToken: _cancel)).Count); // the catalog is loaded before the outage
        McpProtocolException error;
        using (DatabaseOutage.Begin(_relay.App))
        {
            error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "42" }, cancellationToken: _cancel));
        }

        Assert.Contains("Shield cannot hold the call for approval right now", error.Message, StringComparison.Ordinal);
        Assert.Empty(_relay.App.Services.GetRequiredService<ApprovalFeed>().Pending);
        Assert.Equal(0, _calls);
    }

    [Fact]
    public async Task InvalidArguments_AreRefusedBeforeAnyoneIsAsked()
    {
        var error = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await _agent.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = 42 }, cancellationToken: _cancel));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Empty(_relay.App.Services.GetRequiredService<ApprovalFeed>().Pending);
        Assert.Equal([AuditEventTypes.CallDenied], (await TrailAsync()).Select(r => r.EventType));
    }

    private Task<HttpResponseMessage> DecideAsync(Guid id, bool approve, string? reason) =>
        _reviewer.PostAsJsonAsync($"/api/approvals/{id}/decision", new { approve, reason }, _cancel);

    private async Task<List<AuditRecord>> TrailAsync()
    {
        await _relay.App.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>().FlushAsync(_cancel);
        await using var db = await _relay.App.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        return await db.AuditRecords.AsNoTracking().Where(r => r.EventType.StartsWith("tool-call")).OrderBy(r => r.Sequence).ToListAsync(_cancel);
    }

    private sealed class SynchronousProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
