using System.Net;
using System.Net.Http.Json;
using Shield.Console.Approvals;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary>
/// The TypeScript SDK client waiting for a reviewer (tools/mcp-node/approval-wait-client.mjs): with its default request
/// timeout it gives up before Shield's wait ends, and its call is withdrawn, never run; with progress that resets its
/// timeout it waits as long as the reviewer takes. The client's timeout is shortened from its default 60 s to keep the
/// tests fast; Shield's wait keeps its default 5 minutes, longer than the client's, as it is out of the box.
/// </summary>
public sealed class ApprovalTypeScriptClientTests : IAsyncLifetime
{
    private const string Arguments = """{"text":"42"}""";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private ApprovalHarness _approvals = default!;

    public async ValueTask InitializeAsync() => _approvals = await ApprovalHarness.StartAsync(new ShieldAppFactory
    {
        Settings = new Dictionary<string, string?> { ["Shield:Approvals:ProgressInterval"] = "00:00:01" },
    });

    public async ValueTask DisposeAsync() => await _approvals.DisposeAsync();

    private RelayHarness Relay => _approvals.Relay;

    [Fact]
    public async Task AClientThatTimesOut_HasItsCallWithdrawn_AndItNeverRuns()
    {
        var agent = NodeTools.RunAsync("approval-wait-client.mjs", [Relay.McpUrl, "crm__delete_record", Arguments, "4000"], await EnvironmentAsync(), _cancel);
        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);

        var withdrawn = await _approvals.Watch.NextAsync(ApprovalEventKind.Decided);

        Assert.Equal((pending.Id, ApprovalStatus.Withdrawn), (withdrawn.Id, withdrawn.Status));
        Assert.StartsWith("The agent stopped waiting: ", withdrawn.DecisionReason, StringComparison.Ordinal);
        var (exitCode, output, errors) = await agent;
        Assert.True(exitCode == 0, errors);
        Assert.Contains("Request timed out", output, StringComparison.Ordinal);
        var late = await _approvals.Reviewer.PostAsJsonAsync($"/api/approvals/{pending.Id}/decision", new { approve = true }, _cancel);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("The agent stopped waiting", await late.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(0, _approvals.Calls);
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallWithdrawn, AuditEventTypes.CallDecisionRefused],
            (await Relay.TrailAsync()).Select(r => r.EventType));
    }

    [Fact]
    public async Task AClientWhoseTimeoutProgressResets_WaitsPastItsTimeout_AndGetsTheResultOnceApproved()
    {
        await using var agent = NodeTools.Start("approval-wait-client.mjs",
            [Relay.McpUrl, "crm__delete_record", Arguments, "3000", "--reset-timeout-on-progress"], await EnvironmentAsync());
        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);

        // Five notifications a second apart: the client has waited longer than its 3 s timeout.
        await agent.WaitForOutputAsync("progress 5 Waiting for a reviewer to approve the call", _cancel);
        var approved = await _approvals.Reviewer.PostAsJsonAsync($"/api/approvals/{pending.Id}/decision", new { approve = true }, _cancel);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        await agent.WaitForOutputAsync("deleted 42", _cancel);
        Assert.Equal(1, _approvals.Calls);
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallApproved, AuditEventTypes.CallCompleted],
            (await Relay.TrailAsync()).Select(r => r.EventType));
    }

    private async Task<Dictionary<string, string>> EnvironmentAsync() => new() { ["SHIELD_TOKEN"] = await Relay.TokenAsync("crm__delete_record") };
}
