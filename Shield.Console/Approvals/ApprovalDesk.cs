using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Auditing;
using Shield.Console.Common;
using Shield.Core.Approvals;
using Shield.Core.Persistence;

namespace Shield.Console.Approvals;

/// <summary>
/// Every change of an approval request's state, one at a time: opening it for a waiting call, a reviewer's approval or
/// denial, expiry, and withdrawal when the agent cancels. A decision is recorded in the audit trail before it takes
/// effect (fail closed: if the trail cannot take it, nothing is approved); the waiting call then learns its verdict.
/// </summary>
public sealed partial class ApprovalDesk(
    IDbContextFactory<ShieldDbContext> contexts,
    AuditWriter audit,
    ApprovalFeed feed,
    TimeProvider time,
    ILogger<ApprovalDesk> logger)
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<Guid, Waiter> _waiters = new();

    /// <summary>Stores the request, records it (fail closed), puts it in the queue, and returns its verdict to come.</summary>
    /// <exception cref="AuditUnavailableException">The trail cannot take the request: nothing waits, nobody is asked.</exception>
    public async Task<Task<ApprovalVerdict>> OpenAsync(ApprovalRequest request)
    {
        var waiter = new Waiter();
        _waiters[request.Id] = waiter;
        // Under the same lock as every decision, so the queue never hears of a request after its decision.
        await _changes.WaitAsync();
        try
        {
            await using (var db = await contexts.CreateDbContextAsync())
            {
                db.ApprovalRequests.Add(request);
                await db.SaveChangesAsync();
            }

            await audit.AppendAsync(ApprovalRecords.Requested(request));
            var due = request.ExpiresAtUtc - time.GetUtcNow().UtcDateTime;
            waiter.Expiry = time.CreateTimer(_ => _ = ExpireOnTimeAsync(request.Id), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
            feed.Publish(new(ApprovalEventKind.Requested, ApprovalView.Of(request)));
        }
        catch
        {
            _waiters.TryRemove(request.Id, out _);
            await CloseQuietlyAsync(request.Id);
            throw;
        }
        finally
        {
            _changes.Release();
        }

        return waiter.Verdict.Task;
    }

    /// <summary>A reviewer approves or denies; the answer is the request as it stands after, or why nothing changed.</summary>
    public async Task<Result<ApprovalView>> DecideAsync(Guid id, Reviewer reviewer, bool approve, string? reason, CancellationToken cancellationToken = default)
    {
        reason = reason?.Trim();
        if (!approve && string.IsNullOrEmpty(reason))
        {
            return Refusal.Invalid("reason", "Say why the call is denied: the agent receives the reason.");
        }

        if (reason?.Length > 1000)
        {
            return Refusal.Invalid("reason", "The reason can be at most 1,000 characters.");
        }

        return await ChangeAsync(id, async (db, request, now) =>
        {
            var refusal = approve ? request.RefuseApproval(reviewer, now) : request.RefuseDecision(now);
            if (refusal is not null)
            {
                return request.IsPending && now < request.ExpiresAtUtc ? Refusal.Forbidden(refusal) : Refusal.Conflict(refusal);
            }

            var final = true;
            if (approve)
            {
                final = request.Approve(reviewer, now);
                request.DecisionReason = final ? reason : null;
            }
            else
            {
                request.Deny(reviewer, reason!, now);
            }

            // Recorded first: a decision the trail cannot hold is not taken. Once begun it is not cancelled, so the trail
            // never holds a decision that was then dropped.
            cancellationToken.ThrowIfCancellationRequested();
            await audit.AppendAsync(approve ? ApprovalRecords.Approved(request, reviewer, final, reason, now) : ApprovalRecords.Denied(request, reviewer, now), CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None);
            return Result<ApprovalView>.Ok(ApprovalView.Of(request));
        }, cancellationToken);
    }

    /// <summary>Denies a request nobody decided in time (or whose caller is gone).</summary>
    public Task ExpireAsync(Guid id, string reason) => CloseAsync(id, (request, now) =>
    {
        request.Expire(reason, now);
        return ApprovalRecords.Expired(request, now);
    });

    /// <summary>The agent cancelled its call, or its session ended: the request leaves the queue.</summary>
    public Task WithdrawAsync(Guid id) => CloseAsync(id, (request, now) =>
    {
        request.Withdraw(now);
        return ApprovalRecords.Withdrawn(request, now);
    });

    /// <summary>The latest decided requests (approved, denied, expired, withdrawn), newest first.</summary>
    public async Task<IReadOnlyList<ApprovalView>> RecentAsync(int count = 20, CancellationToken cancellationToken = default)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var decided = await db.ApprovalRequests.AsNoTracking().Where(r => r.Status != ApprovalStatus.Pending)
            .OrderByDescending(r => r.DecidedAtUtc).Take(count).ToListAsync(cancellationToken);
        return [.. decided.Select(ApprovalView.Of)];
    }

    /// <summary>Marks an approved request used by its call; false when it was not approved for exactly that call, or already used.</summary>
    public async Task<bool> ConsumeAsync(Guid id, Guid sessionId, string server, string tool, string fingerprint)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var now = time.GetUtcNow().UtcDateTime;
        return await db.ApprovalRequests
            .Where(r => r.Id == id && r.Status == ApprovalStatus.Approved && r.ConsumedAtUtc == null
                && r.SessionId == sessionId && r.Server == server && r.Tool == tool && r.ArgumentsFingerprint == fingerprint)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ConsumedAtUtc, now).SetProperty(r => r.Version, Guid.NewGuid())) == 1;
    }

    private Task CloseAsync(Guid id, Func<ApprovalRequest, DateTime, Shield.Core.Auditing.AuditRecord> close) => ChangeAsync(id, async (db, request, now) =>
    {
        if (!request.IsPending)
        {
            return Refusal.Conflict(request.RefuseDecision(now)!);
        }

        var record = close(request, now);
        await db.SaveChangesAsync(CancellationToken.None);
        try
        {
            await audit.AppendAsync(record);
        }
        catch (AuditUnavailableException error)
        {
            // Closing denies the call, which is safe without the record; the writer's failure is reported by /healthz.
            LogCloseNotRecorded(logger, request.Id, error);
        }

        return Result<ApprovalView>.Ok(ApprovalView.Of(request));
    }, CancellationToken.None);

    private async Task<Result<ApprovalView>> ChangeAsync(Guid id, Func<ShieldDbContext, ApprovalRequest, DateTime, Task<Result<ApprovalView>>> change, CancellationToken cancellationToken)
    {
        Result<ApprovalView> result;
        ApprovalRequest? request;
        await _changes.WaitAsync(cancellationToken);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            request = await db.ApprovalRequests.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
            if (request is null)
            {
                return Refusal.NotFound("There is no such approval request.");
            }

            result = await change(db, request, time.GetUtcNow().UtcDateTime);
            if (result.Value is { } view)
            {
                // The waiting call first, then the queue (which never waits on a listener), still in order under the lock.
                if (!view.IsPending && _waiters.TryRemove(id, out var waiter))
                {
                    waiter.Expiry?.Dispose();
                    waiter.Verdict.TrySetResult(Verdict(request));
                }

                feed.Publish(new(view.IsPending ? ApprovalEventKind.Updated : ApprovalEventKind.Decided, view));
            }
        }
        finally
        {
            _changes.Release();
        }

        return result;
    }

    private static ApprovalVerdict Verdict(ApprovalRequest r) => new(r.Id, r.Status, r.Status switch
    {
        ApprovalStatus.Approved => $"Approved by {r.DecidedBy}.",
        ApprovalStatus.Denied => $"Denied by {r.DecidedBy}: {r.DecisionReason}",
        ApprovalStatus.Expired => $"Approval expired: {r.DecisionReason}",
        _ => "The call was withdrawn while it waited for approval: the agent cancelled it, or its session ended.",
    }, r.DecidedBy);

    private async Task ExpireOnTimeAsync(Guid id)
    {
        try
        {
            await ExpireAsync(id, "No reviewer decided in time; the call was denied.");
        }
        catch (Exception error)
        {
            // Whatever failed, the waiting call is denied: nothing is ever approved by default.
            LogCloseNotRecorded(logger, id, error);
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.Verdict.TrySetResult(new(id, ApprovalStatus.Expired, "Approval expired: no reviewer decided in time; the call was denied.", null));
            }

            feed.Forget(id);
        }
    }

    private async Task CloseQuietlyAsync(Guid id)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            await db.ApprovalRequests.Where(r => r.Id == id && r.Status == ApprovalStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, ApprovalStatus.Withdrawn));
        }
        catch (Exception error)
        {
            LogCloseNotRecorded(logger, id, error);
        }
    }

    private sealed class Waiter
    {
        public TaskCompletionSource<ApprovalVerdict> Verdict { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ITimer? Expiry { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Approval request {Id} was closed but its record could not be written")]
    private static partial void LogCloseNotRecorded(ILogger logger, Guid id, Exception error);
}
