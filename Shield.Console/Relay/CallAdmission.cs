using ModelContextProtocol;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>Whether a call may go on: <see cref="Admitted"/>, or <see cref="Refused"/> with what the agent is told.</summary>
public abstract record Admission;

/// <summary>The call may go on to <see cref="Target"/>: at once, or once a reviewer approves it (<see cref="Decision"/>).</summary>
public sealed record Admitted(RelayTool Target, PolicyDecision Decision) : Admission;

/// <summary>
/// The call is refused: <see cref="Reason"/> is what its agent reads, with the JSON-RPC error <see cref="Code"/>; the
/// policy's <see cref="Decision"/> when the call got as far as one (a call allowed but refused for its arguments is
/// recorded as allowed and refused).
/// </summary>
public sealed record Refused(string Reason, McpErrorCode Code, PolicyDecision? Decision = null) : Admission;

/// <summary>What one tools/call asks for, as gathered from its request before it is admitted.</summary>
/// <param name="Listed">The tool's name as the agent sent it.</param>
/// <param name="Server">The server it stands for (empty when it names none).</param>
/// <param name="Tool">The tool it stands for (empty when it names none).</param>
/// <param name="InScope">Whether the session was minted for that tool.</param>
/// <param name="WithinInFlightLimit">Whether the session had room for one more call in flight.</param>
public sealed record CallRequest(string? Listed, string Server, string Tool, bool InScope, bool WithinInFlightLimit, CallArguments Arguments);

/// <summary>
/// A call's admission as a pure function of the request, the catalog, the policy and the limits, in the order an
/// agent is told what is wrong: limits (calls in flight, argument size) → the session's scope → the catalog (a tool
/// Shield cannot serve, or one not callable now) → the policy decision → the arguments against the tool's pinned input
/// schema. Arguments are checked before a person is asked: nobody approves a call that cannot run.
/// </summary>
public static class CallAdmission
{
    /// <param name="asked">The call as grants' conditions read it: its arguments and session.</param>
    public static Admission Admit(CallRequest call, RelayCatalog.Entries catalog, PolicySnapshot policy, string agent, in PolicyCall asked, int maxCallsInFlight)
    {
        if (OverLimits(call, maxCallsInFlight) is { } over)
        {
            return over;
        }

        if (!call.InScope)
        {
            return new Refused($"The tool '{call.Listed}' is not in this session's tools. Mint a session that asks for it.", McpErrorCode.InvalidParams);
        }

        if (!catalog.Tools.TryGetValue((call.Server, call.Tool), out var target))
        {
            return new Refused(catalog.Unservable.TryGetValue((call.Server, call.Tool), out var problem)
                ? $"Shield cannot serve the tool {call.Listed}: {problem}. An administrator must review it."
                : $"The tool {call.Listed} is not callable now: {policy.Decide(agent, call.Server, call.Tool).Reason}", McpErrorCode.InvalidParams);
        }

        var decision = policy.Decide(agent, call.Server, call.Tool, asked);
        if (decision.Kind == DecisionKind.Deny)
        {
            return new Refused(decision.Reason, McpErrorCode.InvalidRequest, decision);
        }

        return target.Schema.Check(call.Arguments.Value) is { } invalid
            ? new Refused(invalid, McpErrorCode.InvalidParams, decision)
            : new Admitted(target, decision);
    }

    /// <summary>The limits alone, which need no catalog: the first of <see cref="Admit"/>'s checks.</summary>
    public static Refused? OverLimits(CallRequest call, int maxCallsInFlight)
    {
        if (!call.WithinInFlightLimit)
        {
            return new Refused($"This session already has {maxCallsInFlight} calls in flight ({RelayOptions.SectionName}:MaxCallsInFlightPerSession); wait for one to finish.",
                McpErrorCode.InvalidRequest);
        }

        return call.Arguments.TooBig is { } tooBig ? new Refused(tooBig, McpErrorCode.InvalidParams) : null;
    }

    /// <summary>
    /// A call a reviewer approved, checked again as things are now: much can change while a person decides, and the call
    /// goes on only if it could still be made. Approved by as many reviewers as its risk needed when it was asked, a
    /// tool raised to critical since needs more.
    /// </summary>
    public static Admission AfterApproval(RelayTool approved, RelayCatalog.Entries catalog, PolicySnapshot policy, string agent, in PolicyCall asked)
    {
        var now = policy.Decide(agent, approved.Server, approved.Name, asked);
        if (now.Kind == DecisionKind.Deny || !catalog.Tools.TryGetValue((approved.Server, approved.Name), out var current))
        {
            return new Refused($"The call was approved, but while it waited Shield's policy changed and it is no longer allowed: {now.Reason}", McpErrorCode.InvalidRequest);
        }

        return approved.Risk != RiskLevel.Critical && current.Risk == RiskLevel.Critical
            ? new Refused("The call was approved, but while it waited the tool was raised to critical risk, which needs more reviewers. Call it again to ask them.",
                McpErrorCode.InvalidRequest)
            : new Admitted(current, now);
    }
}
