using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Policy;
using Shield.Core.Redaction;

namespace Shield.Console.Relay;

/// <summary>
/// One tools/call, in order: limits → scope → policy decision → (approval: refused until the gate exists) → argument
/// schema → audit record (fail closed) → forward with Shield's credentials → the upstream's result, unchanged → audit
/// outcome. Every refusal is an MCP error that tells the agent why, and is audited.
/// </summary>
public sealed class RelayCalls(
    RelayCatalog catalog,
    PolicyStore policy,
    UpstreamLinks upstreams,
    AuditWriter audit,
    AuditKeyring keyring,
    IOptionsMonitor<RelayOptions> options,
    TimeProvider time)
{
    public async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var settings = options.CurrentValue;
        var listed = request.Params?.Name;
        relay.TryResolve(listed, out var server, out var tool);
        var record = await RecordAsync(relay, server, tool, request, settings, cancellationToken);
        if (record.Refusal is { } tooBig)
        {
            throw await RefuseAsync(record.Entry, AuditEventTypes.CallDenied, tooBig, McpErrorCode.InvalidParams);
        }

        if (!relay.TryEnter(settings.MaxCallsInFlightPerSession))
        {
            throw await RefuseAsync(record.Entry, AuditEventTypes.CallDenied,
                $"This session already has {settings.MaxCallsInFlightPerSession} calls in flight ({RelayOptions.SectionName}:MaxCallsInFlightPerSession); wait for one to finish.",
                McpErrorCode.InvalidRequest);
        }

        try
        {
            var entries = await catalog.CurrentAsync(cancellationToken);
            if (!relay.InScope(server, tool) || !entries.Tools.TryGetValue((server, tool), out var target))
            {
                var reason = relay.InScope(server, tool)
                    ? $"The tool {listed} is not callable now: {policy.Current.Decide(relay.Session.AgentName, server, tool).Reason}"
                    : $"The tool '{listed}' is not in this session's tools. Mint a session that asks for it.";
                throw await RefuseAsync(record.Entry, AuditEventTypes.CallDenied, reason, McpErrorCode.InvalidParams);
            }

            var decision = policy.Current.Decide(relay.Session.AgentName, server, tool);
            record.Entry.Decision = decision.Kind.ToString();
            record.Entry.DecidingGrant = decision.Grant?.Description;
            if (decision.Kind == DecisionKind.Deny)
            {
                throw await RefuseAsync(record.Entry, AuditEventTypes.CallDenied, decision.Reason, McpErrorCode.InvalidRequest);
            }

            if (decision.Kind == DecisionKind.RequireApproval)
            {
                throw await RefuseAsync(record.Entry, AuditEventTypes.CallApprovalRequired,
                    $"Approval required: {decision.Reason} Shield cannot hold calls for approval yet, so the call is refused.", McpErrorCode.InvalidRequest);
            }

            if (target.Schema.Check(record.Arguments) is { } invalid)
            {
                throw await RefuseAsync(record.Entry, AuditEventTypes.CallDenied, invalid, McpErrorCode.InvalidParams);
            }

            record.Entry.EventType = AuditEventTypes.CallAllowed;
            record.Entry.Reason = decision.Reason;
            await AppendAsync(record.Entry);
            return await ForwardAsync(request, relay, entries, server, tool, record.Entry, started, cancellationToken);
        }
        finally
        {
            relay.Exit();
        }
    }

    private async Task<CallToolResult> ForwardAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, RelayCatalog.Entries entries,
        string server, string tool, AuditRecord entry, long started, CancellationToken cancellationToken)
    {
        var parameters = request.Params!;
        using var route = relay.Route(request.Server, parameters.ProgressToken);
        CallToolResult result;
        try
        {
            var client = await upstreams.ClientAsync(relay, entries.Servers[server], request.Server, cancellationToken);
            result = await UpstreamCall.SendAsync(client, new CallToolRequestParams { Name = tool, Arguments = parameters.Arguments, Meta = HopMeta.Onward(parameters.Meta) }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "cancelled", "The agent cancelled the call; the cancellation was passed to the server.", started);
            throw;
        }
        catch (McpProtocolException e)
        {
            // The upstream answered with a JSON-RPC error: pass it on as it is.
            await OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "error", e.Message, started);
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not AuditUnavailableException)
        {
            relay.Forget(server);
            var reason = e is UpstreamUnavailableException ? e.Message : $"The server {server} failed while handling the call: {e.GetBaseException().Message}";
            await OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "error", reason, started);
            throw new McpProtocolException(reason, McpErrorCode.InternalError);
        }

        upstreams.Succeeded(server);
        await OutcomeAsync(entry, AuditEventTypes.CallCompleted, result.IsError == true ? "tool-error" : "ok", null, started);
        return result;
    }

    private async Task<(AuditRecord Entry, JsonElement? Arguments, string? Refusal)> RecordAsync(RelaySession relay, string server, string tool,
        RequestContext<CallToolRequestParams> request, RelayOptions settings, CancellationToken cancellationToken)
    {
        var session = relay.Session;
        var activity = Activity.Current;
        var entry = new AuditRecord
        {
            ActorKind = Actor.Agent,
            ActorId = session.AgentId.ToString(),
            ActorName = session.AgentName,
            SessionId = session.Id,
            Task = session.Task,
            Server = server.Length > 0 ? server : null,
            Tool = tool.Length > 0 ? tool : request.Params?.Name,
            TraceId = activity?.TraceId.ToHexString(),
            SpanId = activity?.SpanId.ToHexString(),
        };
        JsonElement? arguments = null;
        string? refusal = null;
        if (request.JsonRpcRequest.Params?["arguments"] is { } node)
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(node, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(System.Text.Json.Nodes.JsonNode)));
            if (bytes.Length > settings.MaxArgumentBytes)
            {
                refusal = $"The arguments are {bytes.Length:N0} bytes; Shield accepts at most {settings.MaxArgumentBytes:N0} ({RelayOptions.SectionName}:MaxArgumentBytes).";
            }
            else
            {
                arguments = JsonDocument.Parse(bytes).RootElement;
            }
        }

        entry.ArgumentsFingerprint = refusal is null ? ArgumentsFingerprint.Of(await keyring.GetAsync(cancellationToken), arguments) : null;
        // Auditors read the arguments with secrets and personal data masked; the trail never holds them in clear.
        entry.RedactedArguments = refusal is null ? Redactor.Default.Redact(arguments) : null;
        return (entry, arguments, refusal);
    }

    private async Task<McpProtocolException> RefuseAsync(AuditRecord entry, string eventType, string reason, McpErrorCode code)
    {
        entry.EventType = eventType;
        entry.Decision ??= nameof(DecisionKind.Deny);
        entry.Outcome = "refused";
        entry.Reason = reason;
        await AppendAsync(entry);
        return new McpProtocolException(reason, code);
    }

    private async Task OutcomeAsync(AuditRecord allowed, string eventType, string outcome, string? reason, long started)
    {
        var entry = Copy(allowed);
        entry.EventType = eventType;
        entry.Outcome = outcome;
        entry.Reason = reason;
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
        TraceId = r.TraceId,
        SpanId = r.SpanId,
    };
}
