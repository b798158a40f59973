using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Console.Registry;
using Shield.Core.Auditing;
using Shield.Core.Registry;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary>
/// A call of the 2026-07-28 revision that needs approval holds no request open while a person decides: Shield answers
/// "still waiting" (<c>input_required</c>, whose state names the approval request) within a round, the agent asks again
/// with that state, and the call runs exactly once, bound to the same arguments, once approved.
/// </summary>
public sealed class ApprovalRoundsTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private RelayHarness _relay = default!;
    private ApprovalWatch _watch = default!;
    private HttpClient _reviewer = default!;
    private int _calls;

    public async ValueTask InitializeAsync()
    {
        _relay = await RelayHarness.StartAsync(new ShieldAppFactory
        {
            Settings = new Dictionary<string, string?> { ["Shield:Approvals:RoundWait"] = "00:00:01", ["Shield:Relay:MaxCallsInFlightPerSession"] = "2" },
        });
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
    public async Task TheFirstRoundSaysStillWaiting_LaterRoundsToo_AndTheRoundAfterTheApprovalRunsTheCallOnce()
    {
        using var agent = Agent(await _relay.TokenAsync());

        var first = await CallAsync(agent, "42", state: null);
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal(("input_required", pending.Id.ToString("N")), (first["resultType"]?.GetValue<string>(), first["requestState"]?.GetValue<string>()));
        var stillWaiting = await CallAsync(agent, "42", state: pending.Id.ToString("N")); // held for one round, then answered
        Assert.Equal("input_required", stillWaiting["resultType"]?.GetValue<string>());
        Assert.Equal(0, _calls);

        (await _reviewer.PostAsJsonAsync($"/api/approvals/{pending.Id}/decision", new { approve = true }, _cancel)).EnsureSuccessStatusCode();
        var done = await CallAsync(agent, "42", state: pending.Id.ToString("N"));

        Assert.Equal("deleted 42", done["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(1, _calls);
        Assert.Equal(pending.Id, Assert.Single(await _relay.App.RecordsAsync(AuditEventTypes.CallCompleted)).ApprovalId);
    }

    [Fact]
    public async Task AskingAgainAfterTheCallRan_NeverRunsItTwice()
    {
        using var agent = Agent(await _relay.TokenAsync());
        await CallAsync(agent, "42", state: null);
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);
        (await _reviewer.PostAsJsonAsync($"/api/approvals/{pending.Id}/decision", new { approve = true }, _cancel)).EnsureSuccessStatusCode();
        await CallAsync(agent, "42", state: pending.Id.ToString("N"));

        var again = await CallAsync(agent, "42", state: pending.Id.ToString("N")); // its answer was lost, say

        Assert.Contains("already ran once with this approval", again["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, _calls);
    }

    [Fact]
    public async Task TheSameCallAskedAfresh_JoinsTheRequestThatWaits_WhileOtherArgumentsAskAnew()
    {
        using var agent = Agent(await _relay.TokenAsync());
        var first = await CallAsync(agent, "42", state: null);
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        var retried = await CallAsync(agent, "42", state: null); // a client that lost the state retries the call as it was
        var other = await CallAsync(agent, "43", state: pending.Id.ToString("N")); // the state of a call with other arguments

        Assert.Equal(first["requestState"]!.GetValue<string>(), retried["requestState"]!.GetValue<string>());
        var second = await _watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal((second.Id.ToString("N"), "{\"text\":\"43\"}"), (other["requestState"]!.GetValue<string>(), second.Arguments));
    }

    [Fact]
    public async Task ASessionWithAsManyCallsWaitingAsItMayHaveInFlight_IsRefusedAnother_WhileItsWaitingCallsGoOn()
    {
        using var agent = Agent(await _relay.TokenAsync());
        await CallAsync(agent, "1", state: null);
        await CallAsync(agent, "2", state: null);

        var third = await CallAsync(agent, "3", state: null);
        var again = await CallAsync(agent, "2", state: null);

        Assert.EndsWith("already has 2 calls waiting for approval (or approved and not yet asked for again); wait for their verdicts.",
            third["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("input_required", again["resultType"]?.GetValue<string>());
    }

    [Fact]
    public async Task ARequestApprovedBeforeItsToolWasRaisedToCritical_IsNotJoined_TheCallAsksForTwoReviewers()
    {
        using var agent = Agent(await _relay.TokenAsync());
        await CallAsync(agent, "42", state: null);
        var low = await _watch.NextAsync(ApprovalEventKind.Requested);
        (await _reviewer.PostAsJsonAsync($"/api/approvals/{low.Id}/decision", new { approve = true }, _cancel)).EnsureSuccessStatusCode();
        var tool = (await _relay.App.ToolsAsync("crm")).Single(t => t.Name == "delete_record");
        await _relay.App.Services.GetRequiredService<ToolReview>().SetRiskAsync(tool.Id, RiskLevel.Critical, Registrations.Admin, _cancel);

        var round = await CallAsync(agent, "42", state: low.Id.ToString("N"));

        var critical = await _watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal((critical.Id.ToString("N"), 2), (round["requestState"]!.GetValue<string>(), critical.RequiredApprovals));
        Assert.Equal(0, _calls);
    }

    [Fact]
    public async Task TheCSharpSdkClientOfTheRevision_WaitsInRounds_AndGetsTheResult()
    {
        await using var client = await _relay.ConnectAsync(await _relay.TokenAsync(), new McpClientOptions { ProtocolVersion = "2026-07-28" });

        var call = client.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "7" }, cancellationToken: _cancel).AsTask();
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);
        (await _reviewer.PostAsJsonAsync($"/api/approvals/{pending.Id}/decision", new { approve = true }, _cancel)).EnsureSuccessStatusCode();

        Assert.Equal("deleted 7", Assert.IsType<TextContentBlock>(Assert.Single((await call).Content)).Text);
        Assert.Equal(1, _calls);
    }

    private HttpClient Agent(string token) => StatelessMcp.Agent(_relay.Root, token);

    // One tools/call of the revision, as its client sends it: the result (or the whole response when it is an error).
    private static async Task<JsonNode> CallAsync(HttpClient agent, string text, string? state)
    {
        var parameters = new JsonObject { ["name"] = "crm__delete_record", ["arguments"] = new JsonObject { ["text"] = text } };
        if (state is not null)
        {
            parameters["requestState"] = state;
        }

        var (status, message) = await StatelessMcp.SendAsync(agent, "tools/call", "crm__delete_record", parameters);
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        return message!["result"] ?? message;
    }
}
