using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Console.Approvals;
using Shield.Console.Auditing;
using Shield.Console.Policy;
using Shield.Core.Auditing;
using Shield.Core.Policy;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// Holds a call that needs approval until reviewers decide. The gate records the request and each decision; a call
/// that is not approved is refused with the reason its agent reads. While it waits, an agent that asked for progress
/// hears how long is left. A 2026-07-28 call waits in rounds instead, none held open for long.
/// </summary>
public sealed class CallApproval(ApprovalGate approvals, IHttpContextAccessor requests, IOptionsMonitor<ApprovalOptions> options,
    IOptionsMonitor<RelayOptions> relayOptions)
{
    /// <summary>Null once approved (the entry then names the approval and its reviewers); otherwise the refusal.</summary>
    /// <exception cref="InputRequiredException">A 2026-07-28 call still waits: its agent is to ask again (<see cref="ApprovalOptions.RoundWait"/>).</exception>
    public async Task<Refused?> WaitAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, RelayTool target, string reason,
        AuditRecord entry, CancellationToken cancellationToken)
    {
        var call = new ApprovalCall(relay.Session, target.Server, target.Name, target.Definition.Description ?? "", target.Risk, reason,
            entry.ArgumentsFingerprint!, entry.RedactedArguments, entry.TraceId)
        {
            Shadow = entry.ShadowDecision is { } shadow ? (shadow, entry.ShadowGrant, entry.ShadowReason) : null,
        };
        ApprovalVerdict verdict;
        try
        {
            verdict = relay.Stateless ? await RoundAsync(request, call, cancellationToken) : await HeldAsync(request, relay, call, cancellationToken);
        }
        catch (AuditUnavailableException e)
        {
            return new Refused($"Shield cannot record the call, so it refuses it: {e.Message}", McpErrorCode.InternalError);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
        {
            // Nothing can wait for a person without a stored request: refused, never let through.
            return new Refused("Shield cannot hold the call for approval right now (its database is unavailable), so it refuses it.", McpErrorCode.InternalError);
        }

        if (!verdict.IsApproved)
        {
            // A cancelled request gets no answer; a client that lost its stream reads this one if it resumes.
            cancellationToken.ThrowIfCancellationRequested();
            return new Refused(verdict.Id == Guid.Empty ? verdict.Message : $"{verdict.Message} (approval {verdict.Id})", McpErrorCode.InvalidRequest);
        }

        entry.ApprovalId = verdict.Id;
        entry.Reviewer = verdict.Reviewers?.Clip(256);
        entry.Decision = nameof(DecisionKind.RequireApproval);
        return null;
    }

    // A 2026-07-28 client holds no request open while a person decides: each round answers within RoundWait, "still
    // waiting" (input_required, whose state names the approval request) until there is a verdict, and the client asks
    // again. Any instance can answer a round: the request and its verdict are in the database.
    private async Task<ApprovalVerdict> RoundAsync(RequestContext<CallToolRequestParams> request, ApprovalCall call, CancellationToken cancellationToken)
    {
        var stated = Guid.TryParseExact(request.Params?.RequestState, "N", out var id) ? id : (Guid?)null;
        // Nothing holds an in-flight slot between rounds: the session's waiting requests are counted against the same limit.
        var round = await approvals.RoundAsync(call, stated, options.CurrentValue.RoundWait, relayOptions.CurrentValue.MaxCallsInFlightPerSession, cancellationToken);
        return round.Verdict ?? throw new InputRequiredException(new InputRequiredResult { RequestState = round.Id.ToString("N") });
    }

    private async Task<ApprovalVerdict> HeldAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, ApprovalCall call, CancellationToken cancellationToken)
    {
        Func<ApprovalWait, ValueTask>? progress = null;
        if (request.Params?.ProgressToken is { } token)
        {
            var agent = request.Server;
            progress = wait => Progress(agent, token, wait, cancellationToken);
        }

        // Whichever way the agent stops waiting, its call is withdrawn at once. The SDK cancels the handler's token for a
        // cancel, but not when its MCP session closes (a revoked or expired session), nor when the HTTP request carrying
        // the call is aborted or its connection closes (it keeps the call for a client that may resume the stream): the
        // relay watches those itself. The SDK runs the handler in that request's context, so it is the current one.
        using var requester = new Requester()
            .GoneWhen(relay.Closed, "its MCP session ended (closed, expired or revoked)")
            .GoneWhen(cancellationToken, "it cancelled the call, or its MCP session ended")
            .GoneWhen(requests.HttpContext?.RequestAborted ?? new CancellationToken(canceled: true), "its request was aborted or its connection closed");
        return await approvals.RequestAsync(call, progress, requester);
    }

    private static async ValueTask Progress(McpServer agent, ProgressToken token, ApprovalWait wait, CancellationToken cancellationToken)
    {
        var left = wait.Timeout - wait.Waited;
        try
        {
            await agent.NotifyProgressAsync(token, new ProgressNotificationValue
            {
                Progress = (float)Math.Floor(wait.Waited.TotalSeconds),
                Total = (float)wait.Timeout.TotalSeconds,
                Message = $"Waiting for a reviewer to approve the call (approval {wait.Id}); it expires in {(int)left.TotalMinutes}:{left.Seconds:00} unless decided.",
            }, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The agent may have gone; the call still waits for its verdict (or its cancellation).
        }
    }
}
