using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Console.Registry;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
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
    private ApprovalHarness _approvals = default!;

    public async ValueTask InitializeAsync() => _approvals = await ApprovalHarness.StartAsync(new ShieldAppFactory
    {
        Settings = new Dictionary<string, string?> { ["Shield:Approvals:RoundWait"] = "00:00:01", ["Shield:Relay:MaxCallsInFlightPerSession"] = "2" },
    });

    public async ValueTask DisposeAsync() => await _approvals.DisposeAsync();

    private RelayHarness Relay => _approvals.Relay;

    [Fact]
    public async Task TheFirstRoundSaysStillWaiting_LaterRoundsToo_AndTheRoundAfterTheApprovalRunsTheCallOnce()
    {
        using var agent = Agent(await Relay.TokenAsync());

        var first = await _approvals.RoundAsync(agent, "42", state: null);
        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal(("input_required", pending.Id.ToString("N")), (first["resultType"]?.GetValue<string>(), first["requestState"]?.GetValue<string>()));
        var stillWaiting = await _approvals.RoundAsync(agent, "42", state: pending.Id.ToString("N")); // held for one round, then answered
        Assert.Equal("input_required", stillWaiting["resultType"]?.GetValue<string>());
        Assert.Equal(0, _approvals.Calls);

        await _approvals.DecideAsync(pending.Id, approve: true);
        var done = await _approvals.RoundAsync(agent, "42", state: pending.Id.ToString("N"));

        Assert.Equal("deleted 42", done["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(1, _approvals.Calls);
        Assert.Equal(pending.Id, Assert.Single(await Relay.App.RecordsAsync(AuditEventTypes.CallCompleted)).ApprovalId);
    }

    [Fact]
    public async Task AskingAgainAfterTheCallRan_NeverRunsItTwice()
    {
        using var agent = Agent(await Relay.TokenAsync());
        await _approvals.RoundAsync(agent, "42", state: null);
        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        await _approvals.DecideAsync(pending.Id, approve: true);
        await _approvals.RoundAsync(agent, "42", state: pending.Id.ToString("N"));

        var again = await _approvals.RoundAsync(agent, "42", state: pending.Id.ToString("N")); // its answer was lost, say

        Assert.Contains("already ran once with this approval", again["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, _approvals.Calls);
    }

    [Fact]
    public async Task TheSameCallAskedAfresh_JoinsTheRequestThatWaits_WhileOtherArgumentsAskAnew()
    {
        using var agent = Agent(await Relay.TokenAsync());
        var first = await _approvals.RoundAsync(agent, "42", state: null);
        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);

        var retried = await _approvals.RoundAsync(agent, "42", state: null); // a client that lost the state retries the call as it was
        var other = await _approvals.RoundAsync(agent, "43", state: pending.Id.ToString("N")); // the state of a call with other arguments

        Assert.Equal(first["requestState"]!.GetValue<string>(), retried["requestState"]!.GetValue<string>());
        var second = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal((second.Id.ToString("N"), "{\"text\":\"43\"}"), (other["requestState"]!.GetValue<string>(), second.Arguments));
    }

    [Fact]
    public async Task IdenticalFirstRoundsAtTheSameMoment_OpenOneRequest_AndEveryOneWaitsOnIt()
    {
        using var agent = Agent(await Relay.TokenAsync());

        var rounds = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => _approvals.RoundAsync(agent, "42", state: null)));

        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        Assert.All(rounds, round => Assert.Equal(("input_required", pending.Id.ToString("N")),
            (round["resultType"]?.GetValue<string>(), round["requestState"]?.GetValue<string>())));
        await using var db = await Relay.App.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        Assert.Equal(pending.Id, (await db.ApprovalRequests.SingleAsync(_cancel)).Id);
    }

    [Fact]
    public async Task ASessionWithAsManyCallsWaitingAsItMayHaveInFlight_IsRefusedAnother_WhileItsWaitingCallsGoOn()
    {
        using var agent = Agent(await Relay.TokenAsync());
        await _approvals.RoundAsync(agent, "1", state: null);
        await _approvals.RoundAsync(agent, "2", state: null);

        var third = await _approvals.RoundAsync(agent, "3", state: null);
        var again = await _approvals.RoundAsync(agent, "2", state: null);

        Assert.EndsWith("already has 2 calls waiting for approval (or approved and not yet asked for again); wait for their verdicts.",
            third["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("input_required", again["resultType"]?.GetValue<string>());
    }

    [Fact]
    public async Task ARequestApprovedBeforeItsToolWasRaisedToCritical_IsNotJoined_TheCallAsksForTwoReviewers()
    {
        using var agent = Agent(await Relay.TokenAsync());
        await _approvals.RoundAsync(agent, "42", state: null);
        var low = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        await _approvals.DecideAsync(low.Id, approve: true);
        var tool = (await Relay.App.ToolsAsync("crm")).Single(t => t.Name == "delete_record");
        await Relay.App.Services.GetRequiredService<ToolReview>().SetRiskAsync(tool.Id, RiskLevel.Critical, Registrations.Admin, _cancel);

        var round = await _approvals.RoundAsync(agent, "42", state: low.Id.ToString("N"));

        var critical = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal((critical.Id.ToString("N"), 2), (round["requestState"]!.GetValue<string>(), critical.RequiredApprovals));
        Assert.Equal(0, _approvals.Calls);
    }

    [Fact]
    public async Task TheCSharpSdkClientOfTheRevision_WaitsInRounds_AndGetsTheResult()
    {
        await using var client = await Relay.ConnectAsync(await Relay.TokenAsync(), new McpClientOptions { ProtocolVersion = "2026-07-28" });

        var call = client.CallToolAsync("crm__delete_record", new Dictionary<string, object?> { ["text"] = "7" }, cancellationToken: _cancel).AsTask();
        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        await _approvals.DecideAsync(pending.Id, approve: true);

        Assert.Equal("deleted 7", Assert.IsType<TextContentBlock>(Assert.Single((await call).Content)).Text);
        Assert.Equal(1, _approvals.Calls);
    }

    private HttpClient Agent(string token) => StatelessMcp.Agent(Relay.Root, token);
}
