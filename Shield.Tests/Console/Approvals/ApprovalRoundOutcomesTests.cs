using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Approvals;
using Shield.Core.Approvals;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary>
/// A round of a 2026-07-28 call that names a request already closed gets that request's outcome (denied, withdrawn,
/// expired), never a new request and never the call; an approval whose deadline passed before the round that would
/// run it is void. Time is the test's: deadlines pass when it says so.
/// </summary>
public sealed class ApprovalRoundOutcomesTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ApprovalHarness _approvals = default!;
    private HttpClient _agent = default!;

    public async ValueTask InitializeAsync()
    {
        _approvals = await ApprovalHarness.StartAsync(new ShieldAppFactory
        {
            Settings = new Dictionary<string, string?> { ["Shield:Approvals:Timeout"] = Timeout.ToString() },
            TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)),
        });
        _agent = StatelessMcp.Agent(_approvals.Relay.Root, await _approvals.Relay.TokenAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _agent.Dispose();
        await _approvals.DisposeAsync();
    }

    [Fact]
    public async Task ARoundNamingADeniedRequest_GetsTheDenialWithTheReviewersReason()
    {
        var pending = await FirstRoundAsync();
        await _approvals.DecideAsync(pending.Id, approve: false, reason: "Wrong customer");

        var round = await _approvals.RoundAsync(_agent, "42", state: pending.Id.ToString("N"));

        Assert.Matches($@"^Denied by .+: Wrong customer \(approval {pending.Id}\)$", Refusal(round));
        Assert.Equal(0, _approvals.Calls);
    }

    [Fact]
    public async Task ARoundNamingAWithdrawnRequest_IsToldItWasWithdrawn()
    {
        var pending = await FirstRoundAsync();
        await _approvals.Relay.App.Services.GetRequiredService<ApprovalDesk>().WithdrawAsync(pending.Id, "its session was revoked");

        var round = await _approvals.RoundAsync(_agent, "42", state: pending.Id.ToString("N"));

        Assert.StartsWith("The call was withdrawn and not forwarded.", Refusal(round), StringComparison.Ordinal);
        Assert.Contains("its session was revoked", Refusal(round), StringComparison.Ordinal);
        Assert.Equal(0, _approvals.Calls);
    }

    [Fact]
    public async Task ARoundNamingARequestNobodyDecidedInTime_IsToldItExpired()
    {
        var pending = await FirstRoundAsync();
        _time.Advance(Timeout);
        Assert.Equal((pending.Id, ApprovalStatus.Expired), Closed(await _approvals.Watch.NextAsync(ApprovalEventKind.Decided)));

        var round = await _approvals.RoundAsync(_agent, "42", state: pending.Id.ToString("N"));

        Assert.StartsWith("Approval expired: No reviewer decided in time", Refusal(round), StringComparison.Ordinal);
        Assert.Equal(0, _approvals.Calls);
    }

    [Fact]
    public async Task AnApprovalWhoseDeadlinePassedBeforeTheRoundThatWouldRunIt_IsNotUsed()
    {
        var pending = await FirstRoundAsync();
        await _approvals.DecideAsync(pending.Id, approve: true);
        _time.Advance(Timeout);

        var round = await _approvals.RoundAsync(_agent, "42", state: pending.Id.ToString("N"));
        var afresh = await _approvals.RoundAsync(_agent, "42", state: null); // nor joined by the same call asked again

        Assert.Equal($"Approval expired: the call was not asked for again before its deadline. (approval {pending.Id})", Refusal(round));
        var next = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal(("input_required", next.Id.ToString("N")), (afresh["resultType"]?.GetValue<string>(), afresh["requestState"]?.GetValue<string>()));
        Assert.NotEqual(pending.Id, next.Id);
        // However late it is asked for, the approval is past its deadline and lets nothing through.
        Assert.False(await _approvals.Relay.App.Services.GetRequiredService<ApprovalDesk>()
            .ConsumeAsync(pending.Id, pending.SessionId, pending.Server, pending.Tool, pending.ArgumentsFingerprint));
        Assert.Equal(0, _approvals.Calls);
    }

    [Fact]
    public async Task ARequestOfTheSameCallStillPendingPastItsDeadline_IsExpired_AndTheCallAskedAgainOpensANewOne()
    {
        var stale = await FirstRoundAsync();
        // Its deadline passed, and whoever should have closed it did not (its instance stopped, say).
        await using (var db = await _approvals.Relay.App.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            var past = _time.GetUtcNow().UtcDateTime.AddSeconds(-1);
            await db.ApprovalRequests.Where(r => r.Id == stale.Id).ExecuteUpdateAsync(set => set.SetProperty(r => r.ExpiresAtUtc, past), TestContext.Current.CancellationToken);
        }

        var afresh = await _approvals.RoundAsync(_agent, "42", state: null);

        Assert.Equal("input_required", afresh["resultType"]?.GetValue<string>());
        Assert.Equal((stale.Id, ApprovalStatus.Expired), Closed(await _approvals.Watch.NextAsync(ApprovalEventKind.Decided)));
        Assert.Equal((await _approvals.Watch.NextAsync(ApprovalEventKind.Requested)).Id.ToString("N"), afresh["requestState"]?.GetValue<string>());
    }

    private async Task<ApprovalView> FirstRoundAsync()
    {
        var first = await _approvals.RoundAsync(_agent, "42", state: null);
        var pending = await _approvals.Watch.NextAsync(ApprovalEventKind.Requested);
        Assert.Equal(("input_required", pending.Id.ToString("N")), (first["resultType"]?.GetValue<string>(), first["requestState"]?.GetValue<string>()));
        return pending;
    }

    private static (Guid, ApprovalStatus) Closed(ApprovalView view) => (view.Id, view.Status);

    private static string Refusal(JsonNode round) => round["error"]!["message"]!.GetValue<string>();
}
