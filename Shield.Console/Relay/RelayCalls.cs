using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Console.Approvals;
using Shield.Console.Auditing;
using Shield.Console.Registry;
using Shield.Core.Auditing;
using Shield.Core.Policy;
using Shield.Core.Redaction;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Console.Relay;

/// <summary>
/// One tools/call, in order: limits → scope → policy decision → argument schema → audit record (fail closed), or for a
/// call that needs approval the approval gate (its request and decision are the records) → forward with Shield's
/// credentials → the upstream's result, unchanged → audit outcome. Every refusal is an MCP error that tells the agent
/// why, and is audited. Arguments are checked before a person is asked: nobody approves a call that cannot run.
/// </summary>
public sealed partial class RelayCalls(
    RelayCatalog catalog,
    PolicyStore policy,
    UpstreamLinks upstreams,
    UpstreamErrors errors,
    CallsInFlight inFlight,
    AuditWriter audit,
    AuditKeyring keyring,
    ApprovalGate approvals,
    RedactorStore redaction,
    IOptionsMonitor<RelayOptions> options,
    IHttpContextAccessor requests,
    TimeProvider time,
    ILogger<RelayCalls> logger)
{
    public async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var settings = options.CurrentValue;
        var listed = request.Params?.Name;
        relay.TryResolve(listed, out var server, out var tool);
        var entry = Entry(relay, server, tool, listed);
        var (arguments, tooBig) = await ArgumentsAsync(entry, request, settings, cancellationToken);
        // Counted per Shield session, however many MCP sessions (or stateless requests) its token opens.
        if (!inFlight.TryEnter(relay.Session.Id, settings.MaxCallsInFlightPerSession))
        {
            throw await RefuseAsync(entry, AuditEventTypes.CallDenied,
                $"This session already has {settings.MaxCallsInFlightPerSession} calls in flight ({RelayOptions.SectionName}:MaxCallsInFlightPerSession); wait for one to finish.",
                McpErrorCode.InvalidRequest);
        }

        try
        {
            return await DecideAsync(request, relay, server, tool, listed, entry, arguments, tooBig, started, cancellationToken);
        }
        catch (Exception e) when (e is not McpProtocolException and not OperationCanceledException and not OutOfMemoryException && entry.EventType.Length == 0)
        {
            // Whatever slipped through costs this call only, said in words and recorded; the error is logged once, here.
            LogCallFailed(e, listed);
            throw await RefuseAsync(entry, AuditEventTypes.CallDenied, $"Shield could not handle the call to {listed} (an unexpected error, logged by Shield); it was not forwarded.",
                McpErrorCode.InternalError);
        }
        finally
        {
            inFlight.Exit(relay.Session.Id);
        }
    }

    private async Task<CallToolResult> DecideAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, string server, string tool, string? listed,
        AuditRecord entry, JsonElement? arguments, string? tooBig, long started, CancellationToken cancellationToken)
    {
        if (tooBig is not null)
        {
            throw await RefuseAsync(entry, AuditEventTypes.CallDenied, tooBig, McpErrorCode.InvalidParams);
        }

        RelayCatalog.Entries entries;
        try
        {
            entries = await catalog.CurrentAsync(cancellationToken);
        }
        catch (McpProtocolException unavailable)
        {
            // Recorded if the trail can take it (it usually shares the database); the agent hears why either way.
            throw await RefuseAsync(entry, AuditEventTypes.CallDenied, unavailable.Message, unavailable.ErrorCode, recordedOrNot: true);
        }

        if (!relay.InScope(server, tool) || !entries.Tools.TryGetValue((server, tool), out var target))
        {
            var reason = !relay.InScope(server, tool) ? $"The tool '{listed}' is not in this session's tools. Mint a session that asks for it."
                : entries.Unservable.TryGetValue((server, tool), out var problem)
                    ? $"Shield cannot serve the tool {listed}: {problem}. An administrator must review it."
                    : $"The tool {listed} is not callable now: {policy.Current.Decide(relay.Session.AgentName, server, tool).Reason}";
            throw await RefuseAsync(entry, AuditEventTypes.CallDenied, reason, McpErrorCode.InvalidParams);
        }

        var decision = policy.Current.Decide(relay.Session.AgentName, server, tool);
        entry.Decision = decision.Kind.ToString();
        entry.DecidingGrant = Clip(decision.Grant?.Description, 512);
        if (decision.Kind == DecisionKind.Deny)
        {
            throw await RefuseAsync(entry, AuditEventTypes.CallDenied, decision.Reason, McpErrorCode.InvalidRequest);
        }

        if (target.Schema.Check(arguments) is { } invalid)
        {
            throw await RefuseAsync(entry, AuditEventTypes.CallDenied, invalid, McpErrorCode.InvalidParams);
        }

        if (decision.Kind == DecisionKind.RequireApproval)
        {
            await WaitForApprovalAsync(request, relay, target, decision.Reason, entry, cancellationToken);
            // Much can change while a person decides: the call goes on only if it could still be made now.
            entries = await catalog.CurrentAsync(cancellationToken);
            var now = policy.Current.Decide(relay.Session.AgentName, server, tool);
            if (now.Kind == DecisionKind.Deny || !entries.Tools.TryGetValue((server, tool), out var current))
            {
                throw await RefuseAsync(entry, AuditEventTypes.CallDenied,
                    $"The call was approved, but while it waited Shield's policy changed and it is no longer allowed: {now.Reason}", McpErrorCode.InvalidRequest);
            }

            // Approved by as many reviewers as its risk needed when it was asked: a tool raised to critical since needs more.
            if (target.Risk != RiskLevel.Critical && current.Risk == RiskLevel.Critical)
            {
                throw await RefuseAsync(entry, AuditEventTypes.CallDenied,
                    "The call was approved, but while it waited the tool was raised to critical risk, which needs more reviewers. Call it again to ask them.",
                    McpErrorCode.InvalidRequest);
            }

            return await ForwardAsync(request, relay, entries, current, entry, started, cancellationToken);
        }

        entry.EventType = AuditEventTypes.CallAllowed;
        entry.Reason = Clip(decision.Reason, 4000);
        await AppendAsync(entry);
        return await ForwardAsync(request, relay, entries, target, entry, started, cancellationToken);
    }

    private async Task<CallToolResult> ForwardAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, RelayCatalog.Entries entries,
        RelayTool target, AuditRecord entry, long started, CancellationToken cancellationToken)
    {
        var parameters = request.Params!;
        var server = target.Server;
        using var route = relay.Route(request.Server, parameters.ProgressToken);
        CallToolResult result;
        McpClient? client = null;
        string? note = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                client = await upstreams.ClientAsync(relay, entries.Servers[server], request.Server, cancellationToken);
                using var hop = upstreams.Onward(client, parameters.Meta, request.Server);
                try
                {
                    result = await UpstreamCall.SendAsync(client, target, new CallToolRequestParams { Name = target.Name, Arguments = parameters.Arguments, Meta = hop.Meta },
                        entries.Servers[server].Transport == ServerTransport.Stdio ? options.CurrentValue.ResultCap : null, cancellationToken);
                    break;
                }
                catch (Exception e) when (attempt == 1 && UpstreamErrors.SessionGone(e))
                {
                    // The upstream ended the session (expired, restarted) without taking the call: as the protocol
                    // asks of a client, Shield opens a new session, and sends the call once more.
                    upstreams.Forget(relay, server, client, e);
                    note = "Sent a second time, on a new upstream session: the server had ended the first one without taking the call.";
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "cancelled", "The agent cancelled the call; the cancellation was passed to the server.", started);
            throw;
        }
        catch (McpProtocolException e)
        {
            // The upstream answered with a JSON-RPC error: its code passes on, its text cleaned like any upstream text.
            var reason = errors.Clean(e.Message, entries.Servers[server]);
            await OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "error", reason, started);
            throw new McpProtocolException(reason, e.ErrorCode);
        }
        catch (UpstreamAnswerTooLargeException e)
        {
            // More than Shield takes, not a broken server: its session stays, and the agent hears why.
            var reason = $"The result from {server} was not passed on. {e.Message}";
            await OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "error", reason, started);
            throw new McpProtocolException(reason, McpErrorCode.InternalError);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not AuditUnavailableException)
        {
            upstreams.Forget(relay, server, client, e);
            var reason = e is UpstreamUnavailableException ? e.Message : $"The server {server} failed while handling the call: {errors.Describe(e, entries.Servers[server])}";
            await OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "error", reason, started);
            throw new McpProtocolException(reason, McpErrorCode.InternalError);
        }

        upstreams.Succeeded(relay, entries.Servers[server], client);
        await OutcomeAsync(entry, AuditEventTypes.CallCompleted, result.IsError == true ? "tool-error" : "ok", note, started);
        return result;
    }

    // The gate records the request and each decision; a call that is not approved fails with the reason its agent reads.
    private async Task WaitForApprovalAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, RelayTool target, string reason,
        AuditRecord entry, CancellationToken cancellationToken)
    {
        var call = new ApprovalCall(relay.Session, target.Server, target.Name, target.Definition.Description ?? "", target.Risk, reason,
            entry.ArgumentsFingerprint!, entry.RedactedArguments, entry.TraceId);
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
        ApprovalVerdict verdict;
        try
        {
            verdict = await approvals.RequestAsync(call, progress, requester);
        }
        catch (AuditUnavailableException e)
        {
            throw new McpProtocolException($"Shield cannot record the call, so it refuses it: {e.Message}", McpErrorCode.InternalError);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
        {
            // Nothing can wait for a person without a stored request: refused, never let through.
            throw new McpProtocolException("Shield cannot hold the call for approval right now (its database is unavailable), so it refuses it.", McpErrorCode.InternalError);
        }

        if (!verdict.IsApproved)
        {
            // A cancelled request gets no answer; a client that lost its stream reads this one if it resumes.
            cancellationToken.ThrowIfCancellationRequested();
            throw new McpProtocolException($"{verdict.Message} (approval {verdict.Id})", McpErrorCode.InvalidRequest);
        }

        entry.ApprovalId = verdict.Id;
        entry.Reviewer = Clip(verdict.Reviewers, 256);
        entry.Decision = nameof(DecisionKind.RequireApproval);
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

    // The arguments as the trail keeps them: their keyed fingerprint (every refusal carries it, whatever refused the call)
    // and, within MaxArgumentBytes, their redacted text; over it, the refusal to give.
    private async Task<(JsonElement? Arguments, string? TooBig)> ArgumentsAsync(AuditRecord entry, RequestContext<CallToolRequestParams> request, RelayOptions settings,
        CancellationToken cancellationToken)
    {
        JsonElement? arguments = null;
        string? tooBig = null;
        if (request.JsonRpcRequest.Params?["arguments"] is { } node)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(node, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(System.Text.Json.Nodes.JsonNode)));
            using var document = JsonDocument.Parse(bytes);
            arguments = document.RootElement.Clone();
            if (bytes.Length > settings.MaxArgumentBytes)
            {
                tooBig = $"The arguments are {bytes.Length:N0} bytes; Shield accepts at most {settings.MaxArgumentBytes:N0} ({RelayOptions.SectionName}:MaxArgumentBytes).";
            }
        }

        entry.ArgumentsFingerprint = ArgumentsFingerprint.Of(await keyring.GetAsync(cancellationToken), arguments);
        // Auditors read the arguments with secrets and personal data masked; the trail never holds them in clear.
        entry.RedactedArguments = tooBig is null ? redaction.Current.Redact(arguments) : null;
        return (tooBig is null ? arguments : null, tooBig);
    }

    // Names come from the agent: each is cut to its column, so one over-long name can never fail a batch of records.
    private static AuditRecord Entry(RelaySession relay, string server, string tool, string? listed)
    {
        var entry = relay.Record();
        entry.Server = server.Length > 0 ? Clip(server, Shield.Core.Registry.ServerName.MaxLength) : null;
        entry.Tool = Clip(tool.Length > 0 ? tool : listed, 256);
        return entry;
    }

    private static string? Clip(string? text, int length) => text?.Clip(length);

    /// <summary>Records a refusal and logs it in one line at Debug: a refusal is an expected outcome, not an error.</summary>
    /// <param name="recordedOrNot">Refuse with <paramref name="reason"/> even when the trail cannot take the record.</param>
    private async Task<McpProtocolException> RefuseAsync(AuditRecord entry, string eventType, string reason, McpErrorCode code, bool recordedOrNot = false)
    {
        entry.EventType = eventType;
        entry.Decision ??= nameof(DecisionKind.Deny);
        entry.Outcome = "refused";
        entry.Reason = Clip(redaction.Current.RedactText(reason), 4000);
        LogRefused(entry.Server, entry.Tool, entry.SessionId, entry.Reason);
        try
        {
            await AppendAsync(entry);
        }
        catch (McpProtocolException) when (recordedOrNot)
        {
        }

        return new McpProtocolException(reason, code);
    }

    private async Task OutcomeAsync(AuditRecord allowed, string eventType, string outcome, string? reason, long started)
    {
        var entry = Copy(allowed);
        entry.EventType = eventType;
        entry.Outcome = outcome;
        entry.Reason = Clip(reason, 4000);
        entry.DurationMicroseconds = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        entry.AtUtc = time.GetUtcNow().UtcDateTime;
        // The decision was committed before the call went out; the outcome follows it without holding up the answer.
        try
        {
            await audit.EnqueueAsync(entry);
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Shield is stopping: the allowed record stands, the outcome is not known to the trail.
        }
    }

    private async Task AppendAsync(AuditRecord entry)
    {
        entry.AtUtc = time.GetUtcNow().UtcDateTime;
        try
        {
            // Not the caller's token: a record the call depends on is written even if the agent stops waiting.
            await audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (AuditUnavailableException e)
        {
            throw new McpProtocolException($"Shield cannot record the call, so it refuses it: {e.Message}", McpErrorCode.InternalError);
        }
    }

    private static AuditRecord Copy(AuditRecord r) => new()
    {
        ActorKind = r.ActorKind,
        ActorId = r.ActorId,
        ActorName = r.ActorName,
        SessionId = r.SessionId,
        Task = r.Task,
        Server = r.Server,
        Tool = r.Tool,
        ArgumentsFingerprint = r.ArgumentsFingerprint,
        RedactedArguments = r.RedactedArguments,
        Decision = r.Decision,
        DecidingGrant = r.DecidingGrant,
        ApprovalId = r.ApprovalId,
        Reviewer = r.Reviewer,
        TraceId = r.TraceId,
        SpanId = r.SpanId,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a call to {Server}/{Tool} in session {Session}: {Reason}")]
    private partial void LogRefused(string? server, string? tool, Guid? session, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A call to {Tool} failed inside Shield before it was forwarded; it was refused")]
    private partial void LogCallFailed(Exception error, string? tool);
}
