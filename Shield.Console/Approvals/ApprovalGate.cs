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
        var request = await NewRequestAsync(call, settings);
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

    private async Task<ApprovalRequest> NewRequestAsync(ApprovalCall call, ApprovalOptions settings)
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
            RequestedAtUtc = now,
            ExpiresAtUtc = now + settings.Timeout,
            RequiredApprovals = call.Risk == RiskLevel.Critical ? settings.CriticalApprovers : 1,
        };
    }
}

/// <summary>How long a call has waited for approval, of how long it may.</summary>
public readonly record struct ApprovalWait(Guid Id, TimeSpan Waited, TimeSpan Timeout);
