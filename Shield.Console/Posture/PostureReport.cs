using Shield.Core.Auditing;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Console.Posture;

/// <summary>
/// Shield's governance posture: the six questions an auditor asks, answered with live figures. Served as JSON
/// (<c>GET /api/posture</c>), as a printable page, and shown on the Posture page and, at a glance, the Dashboard.
/// </summary>
public sealed record PostureReport(
    DateTime GeneratedAtUtc,
    PostureServers Servers,
    PostureAccess Access,
    PostureAudit Audit,
    PostureApprovals Approvals,
    PostureSessions Sessions,
    PostureSecurityEvents SecurityEvents);

/// <summary>Which MCP servers are registered, and which tools each exposes, by state.</summary>
public sealed record PostureServers(int Registered, int Enabled, IReadOnlyList<PostureServer> List);

public sealed record PostureServer(string Name, ServerTransport Transport, bool Enabled, DateTime? LastDiscoveryAtUtc, bool? LastDiscoverySucceeded, IReadOnlyDictionary<ToolState, int> ToolsByState);

/// <summary>Which agents can call which tools: per agent, how many tools it may call, only with approval, or not at all.</summary>
public sealed record PostureAccess(int Agents, int EnabledAgents, int Grants, int CallableTools, IReadOnlyList<PostureAgent> List)
{
    /// <summary>What the per-agent counts count, shown beside them wherever they appear.</summary>
    public string Definition =>
        $"Each agent's counts cover the {CallableTools} tools approved and callable on enabled servers, the columns of the access matrix, and add up to {CallableTools}. Tools awaiting review, blocked or on a disabled server are denied to every agent and counted by state above instead.";
}

public sealed record PostureAgent(string Name, bool Enabled, int Allowed, int NeedApproval, int Denied);

/// <summary>Is every call logged: the trail's size and span, its last verification, and what protects it.</summary>
public sealed record PostureAudit(long Records, long ToolCallRecords, long GovernanceRecords, DateTime? FirstAtUtc, DateTime? LastAtUtc, PostureVerification? LastVerification, int? RetentionDays, PostureIntegrity Integrity);

/// <summary>
/// What protects the trail from whoever can write the database: where the chain key lives (<c>file</c> or, with a
/// warning, <c>database</c>), the anchor file and whether checkpoints reach it, tampering Shield found (and whether it
/// still halts recording), and the gaps fail-open left.
/// </summary>
public sealed record PostureIntegrity(
    string ChainKey, string? KeyWarning, string AnchorFile, string? AnchorFailure, long TamperFindings, string? TamperAlarm, long Gaps, long CallsUnrecorded);

public sealed record PostureVerification(DateTime AtUtc, bool Intact, long RecordsChecked, long? BrokenAt, string? Problem, string By);

/// <summary>Which calls are gated on a person's approval, and how approvals were decided.</summary>
public sealed record PostureApprovals(RiskLevel RiskThreshold, int GatedTools, long Requested, long Approved, long Rejected, long Expired);

/// <summary>How agent credentials are scoped and when they expire.</summary>
public sealed record PostureSessions(TimeSpan DefaultTtl, TimeSpan MaxTtl, int Live, int AgentsWithKey, int AgentsBoundToEntra);

/// <summary>
/// The refusals and failures outside tool calls that the trail recorded, counted over every record it keeps (since
/// <see cref="PostureAudit.FirstAtUtc"/>, so retention bounds them), like every other count in the report.
/// </summary>
public sealed record PostureSecurityEvents(
    long FailedSignIns, long AccountsLockedOut, long ClientsThrottled, long SessionsRefused, long SessionsWithToolsRefused, long FailedDiscoveries,
    long RequestsRefused)
{
    public static PostureSecurityEvents From(IReadOnlyDictionary<string, long> byType) => new(
        byType.GetValueOrDefault(AuditEventTypes.SignInFailed),
        byType.GetValueOrDefault(AuditEventTypes.SignInLockedOut),
        byType.GetValueOrDefault(AuditEventTypes.SignInThrottled),
        byType.GetValueOrDefault(AuditEventTypes.SessionRefused),
        byType.GetValueOrDefault(AuditEventTypes.SessionToolsRefused),
        byType.GetValueOrDefault(AuditEventTypes.DiscoveryFailed),
        byType.GetValueOrDefault(AuditEventTypes.RequestRefused));

    /// <summary>The counts in words; shared by the printable report and the Posture page.</summary>
    public string Describe() =>
        $"{Counted.Of(FailedSignIns, "failed sign-in")}, {Counted.Of(AccountsLockedOut, "account")} locked, {Counted.Of(ClientsThrottled, "time")} a client address used up its sign-in tries, " +
        $"{Counted.Of(SessionsRefused, "session request")} refused, {Counted.Of(SessionsWithToolsRefused, "session")} minted without some of the tools asked for, " +
        $"{Counted.Of(RequestsRefused, "MCP request")} refused for routing headers that disagreed with the body, {Counted.Of(FailedDiscoveries, "failed discovery", "failed discoveries")}.";
}

/// <summary>One hour of activity: tool calls decided, and calls refused.</summary>
public sealed record PostureHour(DateTime StartUtc, int Calls, int Refused);
