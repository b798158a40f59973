using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Approvals;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Approvals;

public sealed class ApprovalRecoveryTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AfterARestart_RequestsLeftPending_AreExpired_AndNeverApproved()
    {
        using var folder = new TempFolder();
        var id = Guid.NewGuid();
        await using (var before = new ShieldAppFactory { DataDirectory = folder.Path })
        {
            // A crash: the request was stored, its caller waited in the process that stopped.
            await using var db = await before.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
            db.ApprovalRequests.Add(new ApprovalRequest
            {
                Id = id, SessionId = Guid.NewGuid(), AgentName = "invoice-bot", Task = "t", Server = "crm", Tool = "delete_record", Reason = "r",
                ArgumentsFingerprint = "hmac:1", RequestedAtUtc = DateTime.UtcNow, ExpiresAtUtc = DateTime.UtcNow.AddMinutes(5),
            });
            await db.SaveChangesAsync(_cancel);
        }

        await using var after = new ShieldAppFactory { DataDirectory = folder.Path };
        await using var check = await after.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);

        var request = await check.ApprovalRequests.SingleAsync(r => r.Id == id, _cancel);
        Assert.Equal(ApprovalStatus.Expired, request.Status);
        Assert.Contains("Shield restarted while the call waited", request.DecisionReason, StringComparison.Ordinal);
        Assert.Null(request.ConsumedAtUtc);
        var record = await check.AuditRecords.SingleAsync(r => r.ApprovalId == id, _cancel);
        Assert.Equal((AuditEventTypes.CallExpired, "expired"), (record.EventType, record.Outcome));
    }

    [Fact]
    public async Task AfterARestart_ARequestWaitingInRounds_StaysPendingAndQueuedUntilItsDeadline_WhileOneHeldInTheProcessExpires()
    {
        using var folder = new TempFolder();
        var now = DateTime.UtcNow;
        var inRounds = Request(ApprovalWaiting.InRounds, now.AddMinutes(5));
        var held = Request(ApprovalWaiting.Held, now.AddMinutes(5));
        // Its deadline passed while Shield was down (and a round after it besides).
        var overdue = Request(ApprovalWaiting.InRounds, now - ApprovalExpiry.Interval - TimeSpan.FromMinutes(1));
        await using (var before = new ShieldAppFactory { DataDirectory = folder.Path })
        {
            await using var db = await before.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
            db.ApprovalRequests.AddRange(inRounds, held, overdue);
            await db.SaveChangesAsync(_cancel);
        }

        await using var after = new ShieldAppFactory { DataDirectory = folder.Path };
        _ = after.Services;
        await after.Services.GetRequiredService<ApprovalExpiry>().ExpireOverdueAsync(_cancel);

        await using var check = await after.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        var status = await check.ApprovalRequests.ToDictionaryAsync(r => r.Id, r => r.Status, _cancel);
        Assert.Equal((ApprovalStatus.Pending, ApprovalStatus.Expired, ApprovalStatus.Expired), (status[inRounds.Id], status[held.Id], status[overdue.Id]));
        // Reviewers still see it, and may decide it.
        Assert.Equal([inRounds.Id], after.Services.GetRequiredService<ApprovalFeed>().Pending.Select(v => v.Id));
    }

    private static ApprovalRequest Request(ApprovalWaiting waiting, DateTime expiresAtUtc) => new()
    {
        SessionId = Guid.NewGuid(), AgentName = "invoice-bot", Task = "t", Server = "crm", Tool = "delete_record", Reason = "r",
        ArgumentsFingerprint = "hmac:1", RequestedAtUtc = expiresAtUtc.AddMinutes(-5), ExpiresAtUtc = expiresAtUtc, Waiting = waiting,
    };
}
