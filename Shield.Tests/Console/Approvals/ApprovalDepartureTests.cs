using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Console.Common;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Core.Sessions;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

/// <summary>An agent that stops waiting has its call withdrawn at once, whatever a reviewer does at that moment.</summary>
public sealed class ApprovalDepartureTests : IAsyncLifetime
{
    private static readonly Reviewer Ada = new("u-ada", "ada@bank.test");
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly ShieldAppFactory _app = new();
    private ApprovalGate _gate = default!;
    private ApprovalDesk _desk = default!;
    private ApprovalWatch _watch = default!;

    public ValueTask InitializeAsync()
    {
        _gate = _app.Services.GetRequiredService<ApprovalGate>();
        _desk = _app.Services.GetRequiredService<ApprovalDesk>();
        _watch = new ApprovalWatch(_app);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _watch.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task ADecisionAfterTheAgentLeft_IsRefusedWithWhy_AndRecorded()
    {
        using var requester = new Requester();
        var waiting = _gate.RequestAsync(Call(), null, requester);
        var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

        requester.Leave("its connection closed");
        var late = await _desk.DecideAsync(pending.Id, Ada, approve: true, null, _cancel);

        Assert.Equal(RefusalKind.Conflict, late.Refusal?.Kind);
        Assert.Equal("The agent stopped waiting: its connection closed. The call was withdrawn and can no longer be decided.", late.Refusal!.Message);
        var verdict = await waiting;
        Assert.Equal(ApprovalStatus.Withdrawn, verdict.Status);
        Assert.Equal("The call was withdrawn and not forwarded. The agent stopped waiting: its connection closed.", verdict.Message);
        var trail = await TrailAsync(pending.Id);
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallWithdrawn, AuditEventTypes.CallDecisionRefused], trail.Select(r => r.EventType));
        Assert.Equal((Ada.Name, "refused"), (trail[2].ActorName, trail[2].Outcome));
    }

    [Fact]
    public async Task AnApprovalTheAgentLeftJustAfter_IsWithdrawnUnused_AndRecorded()
    {
        using var requester = new Requester();
        var request = Request();
        var verdict = await _desk.OpenAsync(request, requester);
        await _desk.DecideAsync(request.Id, Ada, approve: true, null, _cancel);
        var approved = await verdict;
        Assert.True(approved.IsApproved);

        requester.Leave("its connection closed");
        var final = await _desk.UseAsync(approved, Call(request.SessionId), requester);

        Assert.Equal(ApprovalStatus.Withdrawn, final.Status);
        Assert.Contains("The agent stopped waiting (its connection closed) as ada@bank.test approved the call; it was not forwarded.", final.Message, StringComparison.Ordinal);
        Assert.False(await _desk.ConsumeAsync(request.Id, request.SessionId, "crm", "delete_record", "hmac:42"));
        Assert.Equal([AuditEventTypes.CallApprovalRequired, AuditEventTypes.CallApproved, AuditEventTypes.CallWithdrawn],
            (await TrailAsync(request.Id)).Select(r => r.EventType));
    }

    [Fact]
    public async Task AnApprovalRacingTheAgentsDeparture_EitherLetsTheCallThroughWhileItWaits_OrIsRefused()
    {
        for (var round = 0; round < 10; round++)
        {
            using var requester = new Requester();
            var waiting = _gate.RequestAsync(Call(), null, requester);
            var pending = await _watch.NextAsync(ApprovalEventKind.Requested);

            var approval = Task.Run(() => _desk.DecideAsync(pending.Id, Ada, approve: true, null, _cancel), _cancel);
            if (round % 2 == 1)
            {
                await approval; // the departure then races the gate's use of the approval, not the approval itself
            }

            await Task.Run(() => requester.Leave("its connection closed"), _cancel);
            var verdict = await waiting;
            var decided = await approval;

            var stored = await StoredAsync(pending.Id);
            var events = (await TrailAsync(pending.Id)).Select(r => r.EventType).ToList();
            if (verdict.IsApproved)
            {
                // The approval and its use both came before the departure: the call goes through, once.
                Assert.NotNull(decided.Value);
                Assert.Equal((ApprovalStatus.Approved, true), (stored.Status, stored.ConsumedAtUtc is not null));
            }
            else
            {
                Assert.Equal((ApprovalStatus.Withdrawn, ApprovalStatus.Withdrawn, (DateTime?)null), (verdict.Status, stored.Status, stored.ConsumedAtUtc));
                Assert.Contains(AuditEventTypes.CallWithdrawn, events);
                // A refused approval is on the record; a taken one was taken before the agent left.
                Assert.Contains(decided.Value is null ? AuditEventTypes.CallDecisionRefused : AuditEventTypes.CallApproved, events);
            }
        }
    }

    private static ApprovalCall Call(Guid? session = null) => new(
        new AgentSession { Id = session ?? Guid.NewGuid(), AgentName = "invoice-bot", Task = "Pay the November invoices" },
        "crm", "delete_record", "Deletes one record.", RiskLevel.High, "The grant requires a person to approve each call.", "hmac:42", null, null);

    private static ApprovalRequest Request() => new()
    {
        SessionId = Guid.NewGuid(), AgentName = "invoice-bot", Task = "t", Server = "crm", Tool = "delete_record", Reason = "r",
        ArgumentsFingerprint = "hmac:42", RequestedAtUtc = DateTime.UtcNow, ExpiresAtUtc = DateTime.UtcNow.AddMinutes(5),
    };

    private async Task<ApprovalRequest> StoredAsync(Guid id)
    {
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        return await db.ApprovalRequests.AsNoTracking().SingleAsync(r => r.Id == id, _cancel);
    }

    private async Task<List<AuditRecord>> TrailAsync(Guid approval)
    {
        await _app.Services.GetRequiredService<Shield.Console.Auditing.AuditWriter>().FlushAsync(_cancel);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        return await db.AuditRecords.AsNoTracking().Where(r => r.ApprovalId == approval).OrderBy(r => r.Sequence).ToListAsync(_cancel);
    }
}
