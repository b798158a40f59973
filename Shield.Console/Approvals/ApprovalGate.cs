using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Policy;
using Shield.Core.Approvals;
using Shield.Core.Persistence;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Console.Approvals;

/// <summary>
/// The relay's side of an approval: open a request for the call, tell the agent it is waiting (progress, when it asked),
/// wait for the verdict, and take an approval for exactly this call, once. The desk withdraws the request the moment the
/// agent stops waiting; a call whose agent is gone is never let through.
/// </summary>
public sealed class ApprovalGate(
    IDbContextFactory<ShieldDbContext> contexts,
    ApprovalDesk desk,
    IOptionsMonitor<ApprovalOptions> options,
    TimeProvider time)
{
    /// <summary>Waits for a person's decision on <paramref name="call"/>; <paramref name="progress"/> is told every so often while it waits.</summary>
    public async Task<ApprovalVerdict> RequestAsync(ApprovalCall call, Func<ApprovalWait, ValueTask>? progress, Requester requester)
    {
        var settings = options.CurrentValue;
        // Opened even when the agent is already gone, so that the trail says what it asked and that it was withdrawn.
        var request = await NewRequestAsync(call, settings, ApprovalWaiting.Held);
        var verdict = await desk.OpenAsync(request, requester);
        var started = time.GetTimestamp();
        while (!verdict.IsCompleted && !requester.Gone.IsCancellationRequested)
        {
            if (progress is not null)
            {
                await progress(new ApprovalWait(request.Id, time.GetElapsedTime(started), settings.Timeout));
            }

            await Task.WhenAny(verdict, Task.Delay(settings.ProgressInterval, time, requester.Gone));
        }

        // Once the agent is gone, the verdict is its withdrawal (or a decision taken just before it left).
        var result = await verdict;
        return result.IsApproved ? await desk.UseAsync(result, call, requester) : result;
    }

    /// <summary>
    /// One round of a call that does not hold its request open while it waits (a 2026-07-28 client, which asks again
    /// after each "still waiting"): the request for exactly this call that is still open (the one <paramref name="stated"/>
    /// names, or any pending or approved and unused for the same session, tool and arguments), or a new one; its
    /// verdict if it comes within <paramref name="wait"/>; an approval taken for exactly this call, once. A new request
    /// answers at once, so the agent learns straight away that its call waits. No verdict yet: still pending.
    /// </summary>
    public Task<ApprovalRound> RoundAsync(ApprovalCall call, Guid? stated, TimeSpan wait, int maxWaiting, CancellationToken cancellationToken) =>
        RoundAsync(call, stated, wait, maxWaiting, joins: 3, cancellationToken);

    // joins: how many more times the round may find the request it was about to open opened by another round first.
    private async Task<ApprovalRound> RoundAsync(ApprovalCall call, Guid? stated, TimeSpan wait, int maxWaiting, int joins, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow().UtcDateTime;
        List<ApprovalRequest> open;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // This session's requests that may still let a call through: pending, or approved and not yet used.
            var waiting = db.ApprovalRequests.AsNoTracking().Where(r => r.SessionId == call.Session.Id && r.ExpiresAtUtc > now
                && (r.Status == ApprovalStatus.Pending || (r.Status == ApprovalStatus.Approved && r.ConsumedAtUtc == null)));
            open = await waiting.Where(r => r.Server == call.Server && r.Tool == call.Tool && r.ArgumentsFingerprint == call.ArgumentsFingerprint)
                .OrderByDescending(r => r.RequestedAtUtc).ToListAsync(cancellationToken);
            if (stated is { } id && !open.Any(r => r.Id == id)
                && await db.ApprovalRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.SessionId == call.Session.Id && r.Server == call.Server
                    && r.Tool == call.Tool && r.ArgumentsFingerprint == call.ArgumentsFingerprint, cancellationToken) is { } closed)
            {
                // The request this round belongs to is closed (or past its deadline): its outcome, never a new request.
                return new ApprovalRound(closed.Id, Closed(closed, now));
            }

            if (open.Count == 0 && await waiting.CountAsync(cancellationToken) >= maxWaiting)
            {
                return new ApprovalRound(Guid.Empty, new ApprovalVerdict(Guid.Empty, ApprovalStatus.Denied,
                    $"Refused: this session already has {maxWaiting} calls waiting for approval (or approved and not yet asked for again); wait for their verdicts.", null));
            }
        }

        // Joined only when it asks for as much as the tool needs now: a tool raised to critical since wants more reviewers.
        var required = RequiredApprovals(call.Risk, settings);
        var usable = open.FirstOrDefault(r => r.Risk >= call.Risk && r.RequiredApprovals >= required);
        if (usable is null)
        {
            if (await OpenInRoundsAsync(call, settings, now, mayJoin: joins > 0, cancellationToken) is { } opened)
            {
                return new ApprovalRound(opened, null);
            }

            // Another round of the same call opened its request a moment before (here or on another instance): join it.
            return await RoundAsync(call, stated, wait, maxWaiting, joins - 1, cancellationToken);
        }

        var verdict = await desk.WatchAsync(usable);
        using (var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await Task.WhenAny(verdict, Task.Delay(wait, time, round.Token));
            await round.CancelAsync(); // the round's timer goes with it
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (!verdict.IsCompleted)
        {
            return new ApprovalRound(usable.Id, null);
        }

        var result = await verdict;
        using var stillHere = new Requester(); // it asked again, so it is here
        return new ApprovalRound(usable.Id, result.IsApproved ? await desk.UseAsync(result, call, stillHere) : result);
    }

    /// <summary>
    /// Opens the request of a call that waits in rounds; null when the same call's request was opened first by another
    /// round and <paramref name="mayJoin"/> (the database holds one such request per call and what it asks for, so two
    /// rounds at once cannot both open one).
    /// </summary>
    private async Task<Guid?> OpenInRoundsAsync(ApprovalCall call, ApprovalOptions settings, DateTime now, bool mayJoin, CancellationToken cancellationToken)
    {
        // Requests of this call still pending past their deadline (not closed yet) can be joined no more: closed first,
        // so that they do not stand in the new one's way.
        List<Guid> overdue;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            overdue = await db.ApprovalRequests.AsNoTracking().Where(r => r.SessionId == call.Session.Id && r.Server == call.Server && r.Tool == call.Tool
                    && r.ArgumentsFingerprint == call.ArgumentsFingerprint && r.Status == ApprovalStatus.Pending && r.Waiting == ApprovalWaiting.InRounds
                    && r.ExpiresAtUtc <= now)
                .Select(r => r.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in overdue)
        {
            try
            {
                await desk.ExpireAsync(id, "No reviewer decided in time; the call was denied.");
            }
            catch (DbUpdateConcurrencyException)
            {
                // Closed meanwhile by whoever else noticed: nothing left to do.
            }
        }

        var request = await NewRequestAsync(call, settings, ApprovalWaiting.InRounds);
        try
        {
            _ = await desk.OpenAsync(request);
            return request.Id;
        }
        catch (DbUpdateException e) when (mayJoin && DatabaseErrors.IsUniqueViolation(e))
        {
            return null;
        }
    }

    // The outcome of a request that can let nothing through any more, as the round that asks about it reads it.
    private static ApprovalVerdict Closed(ApprovalRequest request, DateTime now) => request switch
    {
        { Status: ApprovalStatus.Approved, ConsumedAtUtc: not null } => new(request.Id, ApprovalStatus.Denied,
            "The call already ran once with this approval (an approval lets exactly one call through, and Shield keeps no results to send again).", request.DecidedBy),
        { Status: ApprovalStatus.Approved or ApprovalStatus.Pending } when request.ExpiresAtUtc <= now => new(request.Id, ApprovalStatus.Expired,
            "Approval expired: the call was not asked for again before its deadline.", request.DecidedBy),
        _ => ApprovalDesk.Verdict(ApprovalView.Of(request)),
    };

    private static int RequiredApprovals(RiskLevel risk, ApprovalOptions settings) => risk == RiskLevel.Critical ? settings.CriticalApprovers : 1;

    private async Task<ApprovalRequest> NewRequestAsync(ApprovalCall call, ApprovalOptions settings, ApprovalWaiting waiting)
    {
        string owner;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            owner = await db.Agents.Where(a => a.Id == call.Session.AgentId).Select(a => a.Owner).FirstOrDefaultAsync() ?? "";
        }

        var now = time.GetUtcNow().UtcDateTime;
        return new ApprovalRequest
        {
            SessionId = call.Session.Id,
            AgentId = call.Session.AgentId,
            AgentName = call.Session.AgentName,
            AgentOwner = owner.Clip(256),
            Task = call.Session.Task,
            Server = call.Server,
            Tool = call.Tool,
            ToolDescription = call.ToolDescription.Clip(2000),
            Risk = call.Risk,
            Reason = call.Reason.Clip(1000),
            RedactedArguments = call.RedactedArguments,
            ArgumentsFingerprint = call.ArgumentsFingerprint,
            TraceId = call.TraceId ?? Activity.Current?.TraceId.ToHexString(),
            ShadowDecision = call.Shadow?.Decision,
            ShadowGrant = call.Shadow?.Grant,
            ShadowReason = call.Shadow?.Reason,
            RequestedAtUtc = now,
            ExpiresAtUtc = now + settings.Timeout,
            RequiredApprovals = RequiredApprovals(call.Risk, settings),
            Waiting = waiting,
        };
    }
}

/// <summary>A round of a call that waits without holding its request: the request, and its verdict once there is one.</summary>
public readonly record struct ApprovalRound(Guid Id, ApprovalVerdict? Verdict);

/// <summary>How long a call has waited for approval, of how long it may.</summary>
public readonly record struct ApprovalWait(Guid Id, TimeSpan Waited, TimeSpan Timeout);
