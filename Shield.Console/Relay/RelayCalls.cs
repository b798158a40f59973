using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Shield.Console.Auditing;
using Shield.Console.Registry;
using Shield.Core.Auditing;
using Shield.Core.Policy;
using Shield.Core.Redaction;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>
/// One tools/call, as a pipeline: its arguments read once (<see cref="CallArguments"/>) → admission, a pure function
/// (<see cref="CallAdmission"/>: limits → scope → catalog → policy decision → argument schema) → the decision's record
/// (fail closed), or for a call that needs approval the approval gate (<see cref="CallApproval"/>, whose request and
/// decision are the records) → forward with Shield's credentials → the upstream's result, unchanged → its outcome's
/// record. Every refusal is a value until the one place that turns it into the MCP error its agent reads, and is
/// recorded (<see cref="CallTrail"/>).
/// </summary>
public sealed partial class RelayCalls(
    RelayCatalog catalog,
    PolicyStore policy,
    UpstreamLinks upstreams,
    UpstreamErrors errors,
    CallsInFlight inFlight,
    CallTrail trail,
    CallApproval approval,
    AuditKeyring keyring,
    RedactorStore redaction,
    IOptionsMonitor<RelayOptions> options,
    TimeProvider time,
    ILogger<RelayCalls> logger)
{
    public async ValueTask<CallToolResult> CallAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, CancellationToken cancellationToken)
    {
        var answer = await AnswerAsync(request, relay, cancellationToken);
        // The one place a refusal or a failure becomes the MCP error its agent reads.
        return answer.Result ?? throw new McpProtocolException(answer.Error!, answer.Code);
    }

    private async Task<CallAnswer> AnswerAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, CancellationToken cancellationToken)
    {
        var started = trail.Start();
        var settings = options.CurrentValue;
        var listed = request.Params?.Name;
        relay.TryResolve(listed, out var server, out var tool);
        var arguments = CallArguments.Read(request.JsonRpcRequest.Params?["arguments"], settings.MaxArgumentBytes, await keyring.GetAsync(cancellationToken),
            redaction.Current);
        // Counted per Shield session, however many MCP sessions (or stateless requests) its token opens.
        var entered = inFlight.TryEnter(relay.Session.Id, settings.MaxCallsInFlightPerSession);
        var call = new CallRequest(listed, server, tool, relay.InScope(server, tool), entered, arguments);
        var entry = CallTrail.Entry(relay, call);
        try
        {
            return await AdmitAsync(request, relay, call, entry, started, settings.MaxCallsInFlightPerSession, cancellationToken);
        }
        catch (Exception e) when (e is not McpProtocolException and not InputRequiredException and not OperationCanceledException and not OutOfMemoryException
            && entry.EventType.Length == 0)
        {
            // Whatever slipped through costs this call only, said in words and recorded; the error is logged once, here.
            LogCallFailed(e, listed);
            return await trail.RefusedAsync(entry,
                new Refused($"Shield could not handle the call to {listed} (an unexpected error, logged by Shield); it was not forwarded.", McpErrorCode.InternalError));
        }
        finally
        {
            if (entered)
            {
                inFlight.Exit(relay.Session.Id);
            }
        }
    }

    private async Task<CallAnswer> AdmitAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, CallRequest call, AuditRecord entry, long started,
        int maxCallsInFlight, CancellationToken cancellationToken)
    {
        if (CallAdmission.OverLimits(call, maxCallsInFlight) is { } over)
        {
            return await trail.RefusedAsync(entry, over);
        }

        RelayCatalog.Entries entries;
        try
        {
            entries = await catalog.CurrentAsync(cancellationToken);
        }
        catch (McpProtocolException unavailable)
        {
            // Recorded if the trail can take it (it usually shares the database); the agent hears why either way.
            return await trail.RefusedAsync(entry, new Refused(unavailable.Message, unavailable.ErrorCode), recordedOrNot: true);
        }

        var agent = relay.Session.AgentName;
        // Conditions read the arguments as they are forwarded: the one value the call carries from here on.
        var asked = relay.Asking(call.Arguments.Value, time.GetUtcNow().UtcDateTime);
        var admission = CallAdmission.Admit(call, entries, policy.Current, agent, asked, maxCallsInFlight);
        if (admission is Refused refused)
        {
            return await trail.RefusedAsync(entry, refused);
        }

        var (target, decision) = (Admitted)admission;
        trail.Decided(entry, decision);
        if (decision.Kind == DecisionKind.RequireApproval)
        {
            // A condition's reason quotes what it read of the arguments: reviewers and the trail read it redacted, as the arguments.
            if (await approval.WaitAsync(request, relay, target, redaction.Current.RedactText(decision.Reason), entry, cancellationToken) is { } notApproved)
            {
                return notApproved;
            }

            entries = await catalog.CurrentAsync(cancellationToken);
            return CallAdmission.AfterApproval(target, entries, policy.Current, agent, relay.Asking(call.Arguments.Value, time.GetUtcNow().UtcDateTime)) switch
            {
                Admitted now => await ForwardAsync(request, relay, entries, now.Target, call.Arguments, entry, started, cancellationToken),
                var changed => await trail.RefusedAsync(entry, (Refused)changed),
            };
        }

        return await trail.AllowedAsync(entry, decision.Reason) is { } unrecorded
            ? unrecorded
            : await ForwardAsync(request, relay, entries, target, call.Arguments, entry, started, cancellationToken);
    }

    private async Task<CallAnswer> ForwardAsync(RequestContext<CallToolRequestParams> request, RelaySession relay, RelayCatalog.Entries entries,
        RelayTool target, CallArguments arguments, AuditRecord entry, long started, CancellationToken cancellationToken)
    {
        var server = entries.Servers[target.Server];
        using var route = relay.Route(request.Server, request.Params!.ProgressToken);
        CallToolResult result;
        McpClient? client = null;
        string? note = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                client = await upstreams.ClientAsync(relay, server, request.Server, cancellationToken);
                using var hop = upstreams.Onward(client, request.Params.Meta, request.Server);
                try
                {
                    result = await UpstreamCall.SendAsync(client, target, Parameters(target, arguments, hop.Meta),
                        server.Transport == ServerTransport.Stdio ? options.CurrentValue.ResultCap : null, cancellationToken);
                    break;
                }
                catch (Exception e) when (attempt == 1 && UpstreamErrors.SessionGone(e))
                {
                    // The upstream ended the session (expired, restarted) without taking the call: as the protocol
                    // asks of a client, Shield opens a new session, and sends the call once more.
                    upstreams.Forget(relay, server.Name, client, e);
                    note = "Sent a second time, on a new upstream session: the server had ended the first one without taking the call.";
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await trail.OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "cancelled", "The agent cancelled the call; the cancellation was passed to the server.", started);
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not AuditUnavailableException)
        {
            var (reason, code) = Failure(e, server, client, relay);
            await trail.OutcomeAsync(entry, AuditEventTypes.CallUpstreamError, "error", reason, started);
            return CallAnswer.Failed(reason, code);
        }

        upstreams.Succeeded(relay, server, client);
        await trail.OutcomeAsync(entry, AuditEventTypes.CallCompleted, result.IsError == true ? "tool-error" : "ok", note, started);
        return result;
    }

    // The call as it goes upstream: under the tool's own name, the arguments as the agent sent them, the _meta as it goes on.
    private static JsonObject Parameters(RelayTool target, CallArguments arguments, JsonObject? meta)
    {
        var parameters = new JsonObject { ["name"] = target.Name };
        if (arguments.Onward() is { } onward)
        {
            parameters["arguments"] = onward;
        }

        if (meta is not null)
        {
            parameters["_meta"] = meta.DeepClone();
        }

        return parameters;
    }

    // What the agent reads when the upstream did not answer with a result.
    private (string Reason, McpErrorCode Code) Failure(Exception error, RegisteredServer server, McpClient? client, RelaySession relay)
    {
        switch (error)
        {
            case McpProtocolException protocol:
                // The upstream answered with a JSON-RPC error: its code passes on, its text cleaned like any upstream text.
                return (errors.Clean(protocol.Message, server), protocol.ErrorCode);
            case UpstreamAnswerTooLargeException tooLarge:
                // More than Shield takes, not a broken server: its session stays, and the agent hears why.
                return ($"The result from {server.Name} was not passed on. {tooLarge.Message}", McpErrorCode.InternalError);
            default:
                upstreams.Forget(relay, server.Name, client, error);
                return (error is UpstreamUnavailableException ? error.Message : $"The server {server.Name} failed while handling the call: {errors.Describe(error, server)}",
                    McpErrorCode.InternalError);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A call to {Tool} failed inside Shield before it was forwarded; it was refused")]
    private partial void LogCallFailed(Exception error, string? tool);
}

/// <summary>What an agent gets for a call: the upstream's result, or an error with its text and JSON-RPC code.</summary>
public readonly record struct CallAnswer(CallToolResult? Result, string? Error, McpErrorCode Code)
{
    public static implicit operator CallAnswer(CallToolResult result) => new(result, null, default);

    public static implicit operator CallAnswer(Refused refused) => new(null, refused.Reason, refused.Code);

    public static CallAnswer Failed(string error, McpErrorCode code) => new(null, error, code);
}
