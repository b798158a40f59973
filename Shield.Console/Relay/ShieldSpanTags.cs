namespace Shield.Console.Relay;

/// <summary>Shield's own attributes on a relayed call's span, next to the MCP semantic conventions' (docs/relay.md#telemetry).</summary>
public static class ShieldSpanTags
{
    /// <summary>What the policy engine decided: <c>Allow</c>, <c>Deny</c> or <c>RequireApproval</c>, as in the trail.</summary>
    public const string Decision = "shield.decision";

    /// <summary>The grant that decided it, as the trail's <c>decidingGrant</c>.</summary>
    public const string Grant = "shield.grant";

    /// <summary>What the log-only grants would have made of the call, when that differs: the trail's <c>shadowDecision</c>.</summary>
    public const string ShadowDecision = "shield.decision.shadow";

    /// <summary>The approval request the call waited on.</summary>
    public const string ApprovalId = "shield.approval.id";

    /// <summary>The trail's event type of the call's latest record (<c>tool-call.completed</c>, <c>tool-call.denied</c>, …).</summary>
    public const string Event = "shield.audit.event_type";
}
