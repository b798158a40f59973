using System.Collections.Frozen;
using Shield.Core.Conditions;
using Shield.Core.Grants;
using Shield.Core.Registry;
using GrantKey = (Shield.Core.Grants.SubjectKind Kind, string Subject, string Server, string Tool);

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
/// risk is at or above the threshold still needs approval. Log-only grants decide nothing: when one targets a call,
/// the call is decided once more with them, and the decision carries that outcome when it differs
/// (<see cref="PolicyDecision.Shadow"/>).
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
    private readonly FrozenDictionary<GrantKey, PolicyGrant> _grants;

    /// <summary>The log-only grants: weighed only to say what a call would have come to (<see cref="PolicyDecision.Shadow"/>).</summary>
    private readonly FrozenDictionary<GrantKey, PolicyGrant> _logOnly;

    /// <summary>The agents a log-only grant is given to, directly or through a role: only their calls are decided twice.</summary>
    private readonly FrozenSet<string> _watched;

    public PolicySnapshot(IEnumerable<PolicyTool> tools, IEnumerable<PolicyAgent> agents, IEnumerable<Grant> grants, RiskLevel approvalThreshold)
    {
        Threshold = approvalThreshold;
        _tools = tools.ToFrozenDictionary(t => (t.Server, t.Name));
        _agents = agents.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);
        var all = grants.ToList();
        _grants = Compile(all.Where(g => g.Mode == GrantMode.Enforce), approvalThreshold);
        _logOnly = Compile(all.Where(g => g.Mode == GrantMode.LogOnly), approvalThreshold);
        var watchedSubjects = _logOnly.Keys.Select(k => (k.Kind, k.Subject)).ToHashSet();
        _watched = _agents.Values.Where(a => watchedSubjects.Contains((SubjectKind.Agent, a.Name)) || a.Roles.Any(r => watchedSubjects.Contains((SubjectKind.Role, r))))
            .Select(a => a.Name).ToFrozenSet(StringComparer.Ordinal);
        Grants = [.. _grants.Values];
        LogOnlyGrants = [.. _logOnly.Values];
        Tools = [.. _tools.Values];
        CallableTools = [.. Tools.Where(t => t.Callable && t.ServerEnabled).OrderBy(t => t.Server, StringComparer.Ordinal).ThenBy(t => t.Name, StringComparer.Ordinal)];
        Agents = [.. _agents.Values];
    }

    public static PolicySnapshot Empty { get; } = new([], [], [], RiskLevel.High);

    public RiskLevel Threshold { get; }

    /// <summary>The enforced grants.</summary>
    public IReadOnlyList<PolicyGrant> Grants { get; }

    /// <summary>The log-only grants, which decide nothing (<see cref="PolicyDecision.Shadow"/>).</summary>
    public IReadOnlyList<PolicyGrant> LogOnlyGrants { get; }

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

        var enforced = Decide(subject, target, call, withLogOnly: false);
        if (call is null || !_watched.Contains(subject.Name) || !Watched(subject, server, tool))
        {
            return enforced;
        }

        // Decided twice only when a log-only grant targets the call: once as enforced, once as it would be with them.
        var would = Decide(subject, target, call, withLogOnly: true);
        return would.Kind == enforced.Kind ? enforced : enforced with { Shadow = new ShadowDecision(would.Kind, would.Reason, would.Grant) };
    }

    private PolicyDecision Decide(PolicyAgent subject, PolicyTool target, in PolicyCall? call, bool withLogOnly)
    {
        var input = call is { } c ? c.Input(subject, target) : default;
        var decider = new Decider(in input, call is not null);
        decider.Consider(_grants, subject, target);
        if (withLogOnly)
        {
            decider.Consider(_logOnly, subject, target);
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

    /// <summary>Whether a log-only grant targets the call: to the agent or one of its roles, on the tool or on <c>*</c>.</summary>
    private bool Watched(PolicyAgent subject, string server, string tool)
    {
        if (_logOnly.ContainsKey((SubjectKind.Agent, subject.Name, server, tool)) || _logOnly.ContainsKey((SubjectKind.Agent, subject.Name, server, Grant.AllTools)))
        {
            return true;
        }

        for (var i = 0; i < subject.Roles.Count; i++)
        {
            if (_logOnly.ContainsKey((SubjectKind.Role, subject.Roles[i], server, tool)) || _logOnly.ContainsKey((SubjectKind.Role, subject.Roles[i], server, Grant.AllTools)))
            {
                return true;
            }
        }

        return false;
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
        foreach (var grant in Targeting(subject, server, tool))
        {
            weighed.Add(grant.Condition is { } condition
                ? new GrantWeighed(grant, condition.Evaluate(input), condition.Explain(input))
                : new GrantWeighed(grant, grant.NotCompiled is { } broken ? new ConditionOutcome(false, broken) : null, ""));
        }

        return weighed;
    }

    /// <summary>
    /// For the preview against history: why a call as the trail recorded it cannot be decided again, or null when it
    /// can. It cannot when a grant that targets it has a condition reading what the trail does not hold as it was
    /// (<see cref="Condition.NotRecorded"/>).
    /// </summary>
    public string? NotRecorded(string agent, string server, string tool, in PolicyCall recorded)
    {
        if (!_tools.TryGetValue((server, tool), out var target) || !_agents.TryGetValue(agent, out var subject))
        {
            return null;
        }

        var input = recorded.Input(subject, target);
        foreach (var grant in Targeting(subject, server, tool))
        {
            if (grant.Condition?.NotRecorded(input) is { } why)
            {
                return $"the grant {grant.Description} cannot be evaluated: {why}";
            }
        }

        return null;
    }

    // The enforced grants to the agent and its roles, on the tool and on *.
    private IEnumerable<PolicyGrant> Targeting(PolicyAgent subject, string server, string tool)
    {
        foreach (var (kind, name) in subject.Roles.Select(r => (SubjectKind.Role, r)).Prepend((SubjectKind.Agent, subject.Name)))
        {
            foreach (var targeted in new[] { tool, Grant.AllTools })
            {
                if (_grants.TryGetValue((kind, name, server, targeted), out var grant))
                {
                    yield return grant;
                }
            }
        }
    }

    // Two grants for the same subject and target cannot both stand: the stronger is kept.
    private static FrozenDictionary<GrantKey, PolicyGrant> Compile(IEnumerable<Grant> grants, RiskLevel threshold) =>
        grants.GroupBy(g => (g.SubjectKind, g.Subject, g.Server, g.Tool)).ToFrozenDictionary(g => g.Key, g => new PolicyGrant(g.MaxBy(x => x.Effect)!, threshold));

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

        /// <summary>The grants of <paramref name="grants"/> to the agent and to its roles, on the tool and on <c>*</c>.</summary>
        public void Consider(FrozenDictionary<GrantKey, PolicyGrant> grants, PolicyAgent agent, PolicyTool tool)
        {
            Consider(grants, SubjectKind.Agent, agent.Name, tool.Server, tool.Name);
            var roles = agent.Roles;
            for (var i = 0; i < roles.Count; i++)
            {
                // Indexing, not foreach: enumerating an interface would allocate on every decision.
                Consider(grants, SubjectKind.Role, roles[i], tool.Server, tool.Name);
            }
        }

        private void Consider(FrozenDictionary<GrantKey, PolicyGrant> grants, SubjectKind kind, string subject, string server, string tool)
        {
            if (grants.TryGetValue((kind, subject, server, tool), out var exact))
            {
                Weigh(exact);
            }

            if (grants.TryGetValue((kind, subject, server, Grant.AllTools), out var all))
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
