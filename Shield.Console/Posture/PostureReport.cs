using Shield.Core.Registry;

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
    PostureSessions Sessions);

/// <summary>Which MCP servers are registered, and which tools each exposes, by state.</summary>
public sealed record PostureServers(int Registered, int Enabled, IReadOnlyList<PostureServer> List);

public sealed record PostureServer(string Name, ServerTransport Transport, bool Enabled, DateTime? LastDiscoveryAtUtc, bool? LastDiscoverySucceeded, IReadOnlyDictionary<ToolState, int> ToolsByState);

/// <summary>Which agents can call which tools: per agent, how many tools it may call, only with approval, or not at all.</summary>
public sealed record PostureAccess(int Agents, int EnabledAgents, int Grants, int CallableTools, IReadOnlyList<PostureAgent> List);

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

/// <summary>One hour of activity: tool calls decided, and calls refused.</summary>
public sealed record PostureHour(DateTime StartUtc, int Calls, int Refused);
