using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Auditing;
using Shield.Console.Cluster;
using Shield.Console.Common;
using Shield.Core.Approvals;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Approvals;

/// <summary>
/// Every change of an approval request's state, one at a time: opening it for a waiting call, a reviewer's approval or
/// denial, expiry, and withdrawal the moment its agent stops waiting. A decision is recorded in the audit trail before it
/// takes effect (fail closed: if the trail cannot take it, nothing is approved); the waiting call then learns its verdict.
/// Departures and decisions are serialised too: a decision taken after the agent left is refused, and recorded.
/// In a cluster every change is signalled to the other instances, which look at the request in the database
/// (<see cref="LookAsync"/>): a call waiting on one instance is released by a decision taken on another.
/// </summary>
public sealed partial class ApprovalDesk(
    IDbContextFactory<ShieldDbContext> contexts,
    AuditWriter audit,
    ApprovalFeed feed,
    ClusterSignals signals,
    TimeProvider time,
    ILogger<ApprovalDesk> logger)
{
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly ConcurrentDictionary<Guid, Waiter> _waiters = new();

    /// <summary>
    /// Stores the request, records it (fail closed), puts it in the queue, and returns its verdict to come. When
    /// <paramref name="requester"/> stops waiting, the request is withdrawn at once.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The trail cannot take the request: nothing waits, nobody is asked.</exception>
    public async Task<Task<ApprovalVerdict>> OpenAsync(ApprovalRequest request, Requester? requester = null)
    {
        var waiter = new Waiter(requester);
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
            signals.Publish(ClusterSignal.Approval(request.Id));
            // Off the thread that noticed the departure (a connection closing, a cancel being read): the withdrawal waits its turn here.
            waiter.Departure = requester?.Gone.Register(() => _ = Task.Run(() => WithdrawOnDepartureAsync(request.Id, requester.Why!)));
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
            if (request.IsPending && Departed(id) is { } why)
            {
                // The agent left and its withdrawal is on its way: it is taken first, so this decision comes too late.
                await CloseNowAsync(db, request, now, Withdrawal(why));
            }

            var refusal = approve ? request.RefuseApproval(reviewer, now) : request.RefuseDecision(now);
            if (refusal is not null && request.IsPending && now < request.ExpiresAtUtc)
            {
                return Refusal.Forbidden(refusal);
            }

            if (refusal is not null)
            {
                // Too late: the request closed before this decision. Nothing changes; the attempt is part of the record.
                await AppendQuietlyAsync(request.Id, ApprovalRecords.DecisionRefused(request, reviewer, approve, refusal, now));
                return Refusal.Conflict(refusal);
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

    /// <summary>The agent stopped waiting (<paramref name="why"/>: it cancelled, its connection closed, its session ended): the request leaves the queue.</summary>
    public Task WithdrawAsync(Guid id, string why) => CloseAsync(id, Withdrawal(why));

    /// <summary>
    /// Lets an approved call through, once: marks its approval used, unless its agent stopped waiting since the approval
    /// (then the approval is withdrawn unused, and recorded so). The answer is the verdict the call goes on with.
    /// </summary>
    public async Task<ApprovalVerdict> UseAsync(ApprovalVerdict approved, ApprovalCall call, Requester requester)
    {
        await _changes.WaitAsync();
        try
        {
            if (requester.Why is { } why)
            {
                var withdrawn = await ChangeLockedAsync(approved.Id, (db, request, now) => request is { Status: ApprovalStatus.Approved, ConsumedAtUtc: null }
                    ? CloseNowAsync(db, request, now, Withdrawal(why))
                    : Task.FromResult<Result<ApprovalView>>(Refusal.Conflict("The approval was already used.")), CancellationToken.None);
                return withdrawn.Value is { } view ? Verdict(view) : approved with { Status = ApprovalStatus.Withdrawn, Message = withdrawn.Refusal!.Message };
            }

            return await ConsumeAsync(approved.Id, call.Session.Id, call.Server, call.Tool, call.ArgumentsFingerprint) ? approved
                : approved with { Status = ApprovalStatus.Denied, Message = "The approval was already used; an approval lets exactly one call through, once." };
        }
        finally
        {
            _changes.Release();
        }
    }

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
            .Where(r => r.Id == id && r.Status == ApprovalStatus.Approved && r.ConsumedAtUtc == null && r.ExpiresAtUtc > now
                && r.SessionId == sessionId && r.Server == server && r.Tool == tool && r.ArgumentsFingerprint == fingerprint)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ConsumedAtUtc, now).SetProperty(r => r.Version, Guid.NewGuid())) == 1;
    }

    private static Func<ApprovalRequest, DateTime, AuditRecord> Withdrawal(string why) => (request, now) =>
    {
        request.Withdraw(why, now);
        return ApprovalRecords.Withdrawn(request, now);
    };

    private Task CloseAsync(Guid id, Func<ApprovalRequest, DateTime, AuditRecord> close) => ChangeAsync(id, (db, request, now) =>
        request.IsPending ? CloseNowAsync(db, request, now, close) : Task.FromResult<Result<ApprovalView>>(Refusal.Conflict(request.RefuseDecision(now)!)),
        CancellationToken.None);

    private async Task<Result<ApprovalView>> CloseNowAsync(ShieldDbContext db, ApprovalRequest request, DateTime now, Func<ApprovalRequest, DateTime, AuditRecord> close)
    {
        var record = close(request, now);
        await db.SaveChangesAsync(CancellationToken.None);
        // Closing denies the call, which is safe without the record; the writer's failure is reported by /healthz.
        await AppendQuietlyAsync(request.Id, record);
        return Result<ApprovalView>.Ok(ApprovalView.Of(request));
    }

    private async Task AppendQuietlyAsync(Guid id, AuditRecord record)
    {
        try
        {
            await audit.AppendAsync(record, CancellationToken.None);
        }
        catch (AuditUnavailableException error)
        {
            LogCloseNotRecorded(logger, id, error);
        }
    }

    private async Task<Result<ApprovalView>> ChangeAsync(Guid id, Func<ShieldDbContext, ApprovalRequest, DateTime, Task<Result<ApprovalView>>> change, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            return await ChangeLockedAsync(id, change, cancellationToken);
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task<Result<ApprovalView>> ChangeLockedAsync(Guid id, Func<ShieldDbContext, ApprovalRequest, DateTime, Task<Result<ApprovalView>>> change,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var request = await db.ApprovalRequests.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (request is null)
        {
            return Refusal.NotFound("There is no such approval request.");
        }

        var before = (request.Status, request.Votes.Count);
        var result = await change(db, request, time.GetUtcNow().UtcDateTime);
        var changed = (request.Status, request.Votes.Count) != before;
        // Whatever changed, even on the way to a refusal (a departure taken before a late decision): the waiting call
        // first, then the queue (which never waits on a listener), still in order under the lock. A request found closed
        // already (by another instance) also releases a call waiting here, with its verdict.
        var view = ApprovalView.Of(request);
        if (!view.IsPending && _waiters.TryRemove(id, out var waiter))
        {
            waiter.Close();
            waiter.Verdict.TrySetResult(Verdict(view));
        }

        if (changed)
        {
            feed.Publish(new(view.IsPending ? ApprovalEventKind.Updated : ApprovalEventKind.Decided, view));
            signals.Publish(ClusterSignal.Approval(id));
        }

        return result;
    }

    /// <summary>Why the agent waiting for <paramref name="id"/> left, or null while it waits (or nobody here waits for it).</summary>
    private string? Departed(Guid id) => _waiters.TryGetValue(id, out var waiter) ? waiter.Requester?.Why : null;

    internal static ApprovalVerdict Verdict(ApprovalView r) => new(r.Id, r.Status, r.Status switch
    {
        ApprovalStatus.Approved => $"Approved by {r.DecidedBy}.",
        ApprovalStatus.Denied => $"Denied by {r.DecidedBy}: {r.DecisionReason}",
        ApprovalStatus.Expired => $"Approval expired: {r.DecisionReason}",
        _ => $"The call was withdrawn and not forwarded. {r.DecisionReason}",
    }, r.DecidedBy);

    private async Task WithdrawOnDepartureAsync(Guid id, string why)
    {
        try
        {
            await WithdrawAsync(id, why);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Still pending in the database: every decision on it is refused while the departure is known here (each
            // tries the withdrawal again), and it expires on time. The agent is gone, so its call ends now.
            LogWithdrawFailed(logger, id, error);
            if (_waiters.TryGetValue(id, out var waiter))
            {
                waiter.Verdict.TrySetResult(new(id, ApprovalStatus.Withdrawn, $"The call was withdrawn and not forwarded. The agent stopped waiting: {why}.", null));
            }
        }
    }

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
                waiter.Close();
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

    private sealed class Waiter(Requester? requester)
    {
        public TaskCompletionSource<ApprovalVerdict> Verdict { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The agent waiting for the verdict, when the relay said who it is.</summary>
        public Requester? Requester { get; } = requester;

        public ITimer? Expiry { get; set; }

        public CancellationTokenRegistration? Departure { get; set; }

        public void Close()
        {
            Expiry?.Dispose();
            Departure?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Approval request {Id} changed but its record could not be written")]
    private static partial void LogCloseNotRecorded(ILogger logger, Guid id, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Approval request {Id} could not be withdrawn after its agent stopped waiting; it is refused to reviewers and expires on time")]
    private static partial void LogWithdrawFailed(ILogger logger, Guid id, Exception error);
}
