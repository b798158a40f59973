using System.Collections.Frozen;
using Shield.Core.Grants;
using Shield.Core.Registry;

namespace Shield.Core.Policy;

/// <summary>
/// The policy engine: an immutable, precompiled view of the inventory, the agents and the grants, and one pure
/// function, <see cref="Decide"/>. A decision looks up at most (1 + roles) × 2 grants in frozen dictionaries, so it
/// costs the same with ten grants or a hundred thousand, and allocates nothing. Rebuild a snapshot when anything it
/// holds changes and swap it in whole (<see cref="PolicyStore"/>).
/// </summary>
/// <remarks>
/// Rules, in order: a tool that is unknown, not approved at its current definition, or on a disabled server is
/// denied; an unknown or disabled agent is denied; of the grants to the agent and to its roles, for the tool or for
/// every tool of its server, the strongest decides (deny, then approve, then allow); nothing granted is denied; an
/// allowed tool whose risk is at or above the threshold still needs approval.
/// </remarks>
public sealed class PolicySnapshot
{
    private static readonly string UnknownTool = "There is no such tool in Shield's inventory.";
    private static readonly string UnknownAgent = "The agent is not registered with Shield.";
    private static readonly string DisabledAgent = "The agent is disabled.";
    private static readonly string NothingGranted = "No grant gives this agent, or any of its roles, this tool.";
    private static readonly string ServerDisabled = "The tool's server is disabled.";

    private static readonly FrozenDictionary<ToolState, string> NotCallable = new Dictionary<ToolState, string>
    {
        [ToolState.PendingReview] = "The tool has not been approved by an administrator yet.",
        [ToolState.Approved] = "The tool's server changed it since it was approved; it waits for approval again.",
        [ToolState.Quarantined] = "The tool's server changed it since it was approved; it waits for approval again.",
        [ToolState.Blocked] = "The tool is blocked by an administrator.",
        [ToolState.Removed] = "The tool's server no longer offers it.",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<(string Server, string Tool), PolicyTool> _tools;
    private readonly FrozenDictionary<string, PolicyAgent> _agents;
    private readonly FrozenDictionary<(SubjectKind Kind, string Subject, string Server, string Tool), PolicyGrant> _grants;

    public PolicySnapshot(IEnumerable<PolicyTool> tools, IEnumerable<PolicyAgent> agents, IEnumerable<Grant> grants, RiskLevel approvalThreshold)
    {
        Threshold = approvalThreshold;
        _tools = tools.ToFrozenDictionary(t => (t.Server, t.Name));
        _agents = agents.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);
        // Two grants for the same subject and target cannot both stand: the stronger is kept.
        _grants = grants.GroupBy(g => (g.SubjectKind, g.Subject, g.Server, g.Tool))
            .ToFrozenDictionary(g => g.Key, g => new PolicyGrant(g.MaxBy(x => x.Effect)!, approvalThreshold));
        Grants = [.. _grants.Values];
        Tools = [.. _tools.Values];
        CallableTools = [.. Tools.Where(t => t.Callable && t.ServerEnabled).OrderBy(t => t.Server, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)];
        Agents = [.. _agents.Values];
    }

    public static PolicySnapshot Empty { get; } = new([], [], [], RiskLevel.High);

    public RiskLevel Threshold { get; }

    public IReadOnlyList<PolicyGrant> Grants { get; }

    public IReadOnlyList<PolicyTool> Tools { get; }

    /// <summary>
    /// The tools any agent could be granted now: approved at their current definition, on an enabled server, by server
    /// and name. Every count of what agents may call (the access matrix, the posture report) counts these; the rest
    /// are denied to everyone by <see cref="Decide"/> and counted as tools awaiting review or blocked instead.
    /// </summary>
    public IReadOnlyList<PolicyTool> CallableTools { get; }

    public IReadOnlyList<PolicyAgent> Agents { get; }

    /// <summary>Whether the agent is registered and enabled: a disabled agent's sessions stop working.</summary>
    public bool IsAgentEnabled(string agent) => _agents.TryGetValue(agent, out var entry) && entry.Enabled;

    public PolicyDecision Decide(string agent, string server, string tool)
    {
        if (!_tools.TryGetValue((server, tool), out var target))
        {
            return PolicyDecision.Deny(UnknownTool);
        }

        if (!target.ServerEnabled)
        {
            return PolicyDecision.Deny(ServerDisabled);
        }

        if (!target.Callable)
        {
            return PolicyDecision.Deny(NotCallable[target.State]);
        }

        if (!_agents.TryGetValue(agent, out var subject))
        {
            return PolicyDecision.Deny(UnknownAgent);
        }

        if (!subject.Enabled)
        {
            return PolicyDecision.Deny(DisabledAgent);
        }

        var strongest = Strongest(null, SubjectKind.Agent, agent, server, tool);
        var roles = subject.Roles;
        for (var i = 0; i < roles.Count; i++)
        {
            // Indexing, not foreach: enumerating an interface would allocate on every decision.
            strongest = Strongest(strongest, SubjectKind.Role, roles[i], server, tool);
        }

        return strongest switch
        {
            null => PolicyDecision.Deny(NothingGranted),
            { Effect: GrantEffect.Deny } => PolicyDecision.Deny(strongest.DenyReason, strongest),
            { Effect: GrantEffect.Approve } => PolicyDecision.RequireApproval(strongest.ApproveReason, strongest),
            _ when target.Risk >= Threshold => PolicyDecision.RequireApproval(strongest.RiskReasons[(int)target.Risk], strongest),
            _ => PolicyDecision.Allow(strongest),
        };
    }

    private PolicyGrant? Strongest(PolicyGrant? best, SubjectKind kind, string subject, string server, string tool)
    {
        if (_grants.TryGetValue((kind, subject, server, tool), out var exact) && (best is null || exact.Effect > best.Effect))
        {
            best = exact;
        }

        if (_grants.TryGetValue((kind, subject, server, Grant.AllTools), out var all) && (best is null || all.Effect > best.Effect))
        {
            best = all;
        }

        return best;
    }
}
