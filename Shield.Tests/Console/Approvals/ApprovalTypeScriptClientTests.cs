using System.Net;
using System.Net.Http.Json;
using ModelContextProtocol.Protocol;
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
    private RelayHarness _relay = default!;
    private ApprovalWatch _watch = default!;
    private HttpClient _reviewer = default!;
    private int _calls;

    public async ValueTask InitializeAsync()
    {
        _relay = await RelayHarness.StartAsync(new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Approvals:ProgressInterval"] = "00:00:01" } });
        _watch = new ApprovalWatch(_relay.App);
        _reviewer = await ApprovalFlowTests.ReviewerAsync(_relay);
        _relay.Upstream.OnCall = (request, _) =>
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(new CallToolResult { Content = [new TextContentBlock { Text = "deleted " + request.Params!.Arguments!["text"].GetString() }] });
        };
    }

    public async ValueTask DisposeAsync()
    {
        _watch.Dispose();
        _reviewer.Dispose();
        await _relay.DisposeAsync();
    }

    [Fact]
    public async Task AClientThatTimesOut_HasItsCallWithdrawn_AndItNeverRuns()
    {
        var agent = NodeTools.RunAsync("approval-wait-client.mjs", [_relay.McpUrl, "crm__delete_record", Arguments, "4000"], await EnvironmentAsync(), _cancel);
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        var withdrawn = await _watch.NextAsync(ApprovalEventKind.Decided);

        Assert.Equal((pending.Id, ApprovalStatus.Withdrawn), (withdrawn.Id, withdrawn.Status));
        Assert.StartsWith("The agent stopped waiting: ", withdrawn.DecisionReason, StringComparison.Ordinal);
        var (exitCode, output, errors) = await agent;
        Assert.True(exitCode == 0, errors);
        Assert.Contains("Request timed out", output, StringComparison.Ordinal);
        var late = await _reviewer.PostAsJsonAsync($"/api/approvals/{pending.Id}/decision", new { approve = true }, _cancel);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("The agent stopped waiting", await late.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(0, _calls);
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallWithdrawn, AuditEventTypes.CallDecisionRefused],
            (await _relay.TrailAsync()).Select(r => r.EventType));
    }

    [Fact]
    public async Task AClientWhoseTimeoutProgressResets_WaitsPastItsTimeout_AndGetsTheResultOnceApproved()
    {
        await using var agent = NodeTools.Start("approval-wait-client.mjs",
            [_relay.McpUrl, "crm__delete_record", Arguments, "3000", "--reset-timeout-on-progress"], await EnvironmentAsync());
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        // Five notifications a second apart: the client has waited longer than its 3 s timeout.
        await agent.WaitForOutputAsync("progress 5 Waiting for a reviewer to approve the call", _cancel);
        var approved = await _reviewer.PostAsJsonAsync($"/api/approvals/{pending.Id}/decision", new { approve = true }, _cancel);
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);

        await agent.WaitForOutputAsync("deleted 42", _cancel);
        Assert.Equal(1, _calls);
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallApproved, AuditEventTypes.CallCompleted],
            (await _relay.TrailAsync()).Select(r => r.EventType));
    }

    private async Task<Dictionary<string, string>> EnvironmentAsync() => new() { ["SHIELD_TOKEN"] = await _relay.TokenAsync("crm__delete_record") };
}
