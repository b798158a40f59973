using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Tests.Core.Policy;

/// <summary>Every combination of grant effects, subject kinds and tool states, decided by the one engine.</summary>
public sealed class PolicySnapshotTests
{
    private const string Agent = "invoice-bot";
    private const string Role = "finance-bots";

    public static TheoryData<GrantEffect?, GrantEffect?, ToolState, bool> Combinations()
    {
        var data = new TheoryData<GrantEffect?, GrantEffect?, ToolState, bool>();
        GrantEffect?[] effects = [null, GrantEffect.Allow, GrantEffect.Approve, GrantEffect.Deny];
        foreach (var agentGrant in effects)
        {
            foreach (var roleGrant in effects)
            {
                foreach (var state in Enum.GetValues<ToolState>())
                {
                    data.Add(agentGrant, roleGrant, state, state == ToolState.Approved);
                }

                // Approved, but the server changed the definition since: not callable until approved again.
                data.Add(agentGrant, roleGrant, ToolState.Approved, false);
            }
        }

        return data;
    }

    // The rules, stated independently of the engine: only an approved, unchanged tool is callable; the strongest grant
    // decides whatever it targets (one tool or "*"); nothing granted is denied; risk at or above the threshold (high)
    // turns an allow into an approval.
    private static DecisionKind Expected(GrantEffect? agentGrant, GrantEffect? roleGrant, bool callable, RiskLevel risk)
    {
        if (!callable)
        {
            return DecisionKind.Deny;
        }

        var strongest = new[] { agentGrant, roleGrant }.Max();
        return strongest switch
        {
            null or GrantEffect.Deny => DecisionKind.Deny,
            GrantEffect.Approve => DecisionKind.RequireApproval,
            _ => risk >= RiskLevel.High ? DecisionKind.RequireApproval : DecisionKind.Allow,
        };
    }

    // Each row is tried at every risk level and with each grant aimed at the tool itself or at "*".
    [Theory]
    [MemberData(nameof(Combinations))]
    public void EveryCombination_IsDecidedByTheRules(GrantEffect? agentGrant, GrantEffect? roleGrant, ToolState state, bool callable)
    {
        List<string> wrong = [];
        foreach (var risk in Enum.GetValues<RiskLevel>())
        {
            foreach (var (agentTarget, roleTarget) in new[] { ("delete_record", Grant.AllTools), (Grant.AllTools, "delete_record"), ("delete_record", "delete_record"), (Grant.AllTools, Grant.AllTools) })
            {
                List<Grant> grants = [];
                if (agentGrant is { } a)
                {
                    grants.Add(new Grant { SubjectKind = SubjectKind.Agent, Subject = Agent, Server = "crm", Tool = agentTarget, Effect = a });
                }

                if (roleGrant is { } r)
                {
                    grants.Add(new Grant { SubjectKind = SubjectKind.Role, Subject = Role, Server = "crm", Tool = roleTarget, Effect = r });
                }

                var decision = Snapshot(grants, new PolicyTool("crm", "delete_record", state, callable, risk)).Decide(Agent, "crm", "delete_record");

                var expected = Expected(agentGrant, roleGrant, callable, risk);
                var named = expected != DecisionKind.Deny || (callable && (agentGrant ?? roleGrant) is not null);
                if (decision.Kind != expected || string.IsNullOrEmpty(decision.Reason) || (named && decision.Grant is null))
                {
                    wrong.Add($"risk {risk}, agent grant on {agentTarget}, role grant on {roleTarget}: {decision.Kind} ({decision.Reason}), expected {expected}");
                }
            }
        }

        Assert.Empty(wrong);
    }

    [Fact]
    public void TheDecidingGrant_IsNamedInTheReason()
    {
        var snapshot = Snapshot(
        [
            new Grant { SubjectKind = SubjectKind.Role, Subject = Role, Server = "crm", Tool = Grant.AllTools, Effect = GrantEffect.Approve },
            new Grant { SubjectKind = SubjectKind.Role, Subject = Role, Server = "crm", Tool = "delete_record", Effect = GrantEffect.Deny },
        ], new PolicyTool("crm", "delete_record", ToolState.Approved, true, RiskLevel.Low), new PolicyTool("crm", "lookup", ToolState.Approved, true, RiskLevel.Low));

        var denied = snapshot.Decide(Agent, "crm", "delete_record");
        var gated = snapshot.Decide(Agent, "crm", "lookup");

        Assert.Equal("Denied by the grant role:finance-bots → crm__delete_record deny.", denied.Reason);
        Assert.Equal(DecisionKind.RequireApproval, gated.Kind);
        Assert.Equal("role:finance-bots → crm__* approve", gated.Grant!.Description);
    }

    [Theory]
    [InlineData("ghost-bot", "crm", "lookup", "The agent is not registered with Shield.")]
    [InlineData(Agent, "crm", "nope", "There is no such tool in Shield's inventory.")]
    [InlineData(Agent, "offline", "lookup", "The tool's server is disabled.")]
    [InlineData("sleeping-bot", "crm", "lookup", "The agent is disabled.")]
    [InlineData("other-bot", "crm", "lookup", "No grant gives this agent, or any of its roles, this tool.")]
    public void AnythingUnknownOrSwitchedOff_IsDenied_WithTheReason(string agent, string server, string tool, string reason)
    {
        var grants = new[] { "sleeping-bot", Agent }
            .Select(a => new Grant { SubjectKind = SubjectKind.Agent, Subject = a, Server = "crm", Tool = Grant.AllTools, Effect = GrantEffect.Allow })
            .Append(new Grant { SubjectKind = SubjectKind.Agent, Subject = Agent, Server = "offline", Tool = Grant.AllTools, Effect = GrantEffect.Allow });
        var snapshot = new PolicySnapshot(
            [new PolicyTool("crm", "lookup", ToolState.Approved, true, RiskLevel.Low), new PolicyTool("offline", "lookup", ToolState.Approved, true, RiskLevel.Low, ServerEnabled: false)],
            [new PolicyAgent(Agent, true, [Role]), new PolicyAgent("sleeping-bot", false, []), new PolicyAgent("other-bot", true, [])],
            grants, RiskLevel.High);

        var decision = snapshot.Decide(agent, server, tool);

        Assert.Equal(DecisionKind.Deny, decision.Kind);
        Assert.Equal(reason, decision.Reason);
    }

    internal static PolicySnapshot Snapshot(IEnumerable<Grant> grants, params PolicyTool[] tools) =>
        new(tools, [new PolicyAgent(Agent, true, [Role, "other-role"])], grants, RiskLevel.High);
}
