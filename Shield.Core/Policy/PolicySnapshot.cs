using System.Collections.Frozen;
using Shield.Core.Conditions;
using Shield.Core.Grants;
using Shield.Core.Registry;

namespace Shield.Core.Policy;

/// <summary>
/// The policy engine: an immutable, precompiled view of the inventory, the agents and the grants, and one pure
/// function, <see cref="Decide(string, string, string, in PolicyCall?)"/>. A decision looks up at most (1 + roles) × 2
/// grants in frozen dictionaries, so it costs the same with ten grants or a hundred thousand, and allocates nothing
/// (but the reason of a decision a condition made). Grants' conditions are compiled once, with the snapshot. Rebuild a snapshot when anything it
/// holds changes and swap it in whole (<see cref="PolicyStore"/>).
/// </summary>
/// <remarks>
/// Rules, in order: a tool that is unknown, not approved at its current definition, or on a disabled server is
/// denied; an unknown or disabled agent is denied; of the grants to the agent and to its roles, for the tool or for
/// every tool of its server, those whose condition holds for the call apply, and the strongest decides (deny, then
/// approve, then allow); a condition that cannot be evaluated denies; nothing granted is denied; an allowed tool whose
/// risk is at or above the threshold still needs approval.
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
    /// are denied to everyone by <see cref="Decide(string, string, string)"/> and counted as tools awaiting review or blocked instead.
    /// </summary>
    public IReadOnlyList<PolicyTool> CallableTools { get; }

    public IReadOnlyList<PolicyAgent> Agents { get; }

    /// <summary>Whether the agent is registered and enabled: a disabled agent's sessions stop working.</summary>
    public bool IsAgentEnabled(string agent) => _agents.TryGetValue(agent, out var entry) && entry.Enabled;

    /// <summary>
    /// What the agent may do with the tool without a particular call in view (listing tools, minting a session, the
    /// access matrix): a grant with a condition counts as if its condition could hold, so a conditional allow or
    /// approve is counted and a conditional deny is not. A call is decided with its arguments by the other overload.
    /// </summary>
    public PolicyDecision Decide(string agent, string server, string tool) => Decide(agent, server, tool, null);

    /// <summary>
    /// Decides one call: a grant with a condition applies only when its condition holds for <paramref name="call"/>;
    /// a condition that cannot be evaluated denies the call, whatever else applies.
    /// </summary>
    public PolicyDecision Decide(string agent, string server, string tool, in PolicyCall? call)
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

        var input = call is { } c ? c.Input(subject, target) : default;
        var decider = new Decider(in input, call is not null);
        decider.Consider(this, SubjectKind.Agent, agent, server, tool);
        var roles = subject.Roles;
        for (var i = 0; i < roles.Count; i++)
        {
            // Indexing, not foreach: enumerating an interface would allocate on every decision.
            decider.Consider(this, SubjectKind.Role, roles[i], server, tool);
        }

        if (decider.Failed is { } failed)
        {
            return failed;
        }

        var strongest = decider.Strongest;
        return strongest switch
        {
            null when decider.Unmet is { } unmet => PolicyDecision.Deny(
                $"Denied: the grant {unmet.Description} does not apply to this call{Because(unmet, decider)}.", unmet),
            null => PolicyDecision.Deny(NothingGranted),
            { Effect: GrantEffect.Deny, Condition: not null } when decider.HasInput => PolicyDecision.Deny(
                $"Denied by the grant {strongest.Description}{Because(strongest, decider)}.", strongest),
            { Effect: GrantEffect.Deny } => PolicyDecision.Deny(strongest.DenyReason, strongest),
            { Effect: GrantEffect.Approve, Condition: not null } when decider.HasInput => PolicyDecision.RequireApproval(
                $"The grant {strongest.Description} requires a person to approve this call{Because(strongest, decider)}.", strongest),
            { Effect: GrantEffect.Approve } => PolicyDecision.RequireApproval(strongest.ApproveReason, strongest),
            _ when target.Risk >= Threshold => PolicyDecision.RequireApproval(strongest.RiskReasons[(int)target.Risk], strongest),
            { Condition: not null } when !decider.HasInput => new PolicyDecision(DecisionKind.Allow, strongest.PossibleReason, strongest),
            _ => PolicyDecision.Allow(strongest),
        };
    }

    /// <summary>
    /// For the what-if view: every grant that targets the call (to the agent or its roles, on the tool or on <c>*</c>),
    /// with what its condition came to (null for a grant without one) and what the condition read.
    /// </summary>
    public IReadOnlyList<GrantWeighed> Weigh(string agent, string server, string tool, in PolicyCall call)
    {
        if (!_tools.TryGetValue((server, tool), out var target) || !_agents.TryGetValue(agent, out var subject))
        {
            return [];
        }

        var input = call.Input(subject, target);
        List<GrantWeighed> weighed = [];
        foreach (var (kind, name) in subject.Roles.Select(r => (SubjectKind.Role, r)).Prepend((SubjectKind.Agent, agent)))
        {
            foreach (var targeted in (ReadOnlySpan<string>)[tool, Grant.AllTools])
            {
                if (_grants.TryGetValue((kind, name, server, targeted), out var grant))
                {
                    weighed.Add(grant.Condition is { } condition
                        ? new GrantWeighed(grant, condition.Evaluate(input), condition.Explain(input))
                        : new GrantWeighed(grant, grant.NotCompiled is { } broken ? new ConditionOutcome(false, broken) : null, ""));
                }
            }
        }

        return weighed;
    }

    private static string Because(PolicyGrant grant, in Decider decider) =>
        decider.HasInput && grant.Condition!.Explain(decider.Input) is { Length: > 0 } read ? $": {read}" : "";

    /// <summary>The grants that apply to one decision, gathered without allocating; the first failed condition denies.</summary>
    /// <remarks>A ref struct holding the call by reference: a plain decision copies nothing it does not read.</remarks>
    private ref struct Decider(in ConditionInput input, bool hasInput)
    {
        public readonly ref readonly ConditionInput Input = ref input;
        public readonly bool HasInput = hasInput;
        public PolicyGrant? Strongest;
        public PolicyGrant? Unmet;
        public PolicyDecision? Failed;

        public void Consider(PolicySnapshot snapshot, SubjectKind kind, string subject, string server, string tool)
        {
            if (snapshot._grants.TryGetValue((kind, subject, server, tool), out var exact))
            {
                Weigh(exact);
            }

            if (snapshot._grants.TryGetValue((kind, subject, server, Grant.AllTools), out var all))
            {
                Weigh(all);
            }
        }

        private void Weigh(PolicyGrant grant)
        {
            if (grant.Plain)
            {
                if (Strongest is null || grant.Effect > Strongest.Effect)
                {
                    Strongest = grant;
                }

                return;
            }

            if (Failed is not null)
            {
                return;
            }

            if (grant.NotCompiled is { } broken)
            {
                Failed = PolicyDecision.Deny(broken, grant);
                return;
            }

            if (grant.Condition is { } condition)
            {
                if (!HasInput)
                {
                    // Without a call in view, a conditional deny may not apply; a conditional allow may.
                    if (grant.Effect == GrantEffect.Deny)
                    {
                        return;
                    }
                }
                else
                {
                    var outcome = condition.Evaluate(Input);
                    if (outcome.Error is { } error)
                    {
                        Failed = PolicyDecision.Deny($"Denied: the condition of the grant {grant.Description} could not be evaluated: {error}", grant);
                        return;
                    }

                    if (!outcome.Holds)
                    {
                        // A deny that does not hold explains nothing about why the call is not granted.
                        if (grant.Effect != GrantEffect.Deny)
                        {
                            Unmet ??= grant;
                        }

                        return;
                    }
                }
            }

            if (Strongest is null || grant.Effect > Strongest.Effect)
            {
                Strongest = grant;
            }
        }
    }
}
