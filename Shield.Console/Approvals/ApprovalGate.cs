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
/// wait for the verdict, withdraw the request if the agent cancels, and take an approval for exactly this call, once.
/// </summary>
public sealed partial class ApprovalGate(
    IDbContextFactory<ShieldDbContext> contexts,
    ApprovalDesk desk,
    IOptionsMonitor<ApprovalOptions> options,
    TimeProvider time,
    ILogger<ApprovalGate> logger)
{
    /// <summary>Waits for a person's decision on <paramref name="call"/>; <paramref name="progress"/> is told every so often while it waits.</summary>
    public async Task<ApprovalVerdict> RequestAsync(ApprovalCall call, Func<ApprovalWait, ValueTask>? progress, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var request = await NewRequestAsync(call, settings, cancellationToken);
        var verdict = await desk.OpenAsync(request);
        var started = time.GetTimestamp();
        try
        {
            while (!verdict.IsCompleted)
            {
                if (progress is not null)
                {
                    await progress(new ApprovalWait(request.Id, time.GetElapsedTime(started), settings.Timeout));
                }

                await Task.WhenAny(verdict, Task.Delay(settings.ProgressInterval, time, cancellationToken));
                if (!verdict.IsCompleted)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            try
            {
                await desk.WithdrawAsync(request.Id);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                // The request still expires on time; the agent's cancellation stands either way.
                LogWithdrawFailed(logger, request.Id, error);
            }

            throw;
        }

        var result = await verdict;
        if (result.IsApproved && !await desk.ConsumeAsync(request.Id, call.Session.Id, call.Server, call.Tool, call.ArgumentsFingerprint))
        {
            return result with { Status = ApprovalStatus.Denied, Message = "The approval was already used; an approval lets exactly one call through, once." };
        }

        return result;
    }

    private async Task<ApprovalRequest> NewRequestAsync(ApprovalCall call, ApprovalOptions settings, CancellationToken cancellationToken)
    {
        string owner;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            owner = await db.Agents.Where(a => a.Id == call.Session.AgentId).Select(a => a.Owner).FirstOrDefaultAsync(cancellationToken) ?? "";
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Approval request {Id} could not be withdrawn after its call was cancelled; it expires on time")]
    private static partial void LogWithdrawFailed(ILogger logger, Guid id, Exception error);
}

/// <summary>How long a call has waited for approval, of how long it may.</summary>
public readonly record struct ApprovalWait(Guid Id, TimeSpan Waited, TimeSpan Timeout);
