using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Tests.Core.Policy;

/// <summary>Every combination of grant effects, subject kinds and tool states, decided by the one engine.</summary>
public sealed class PolicySnapshotTests
{
    private const string Agent = "invoice-bot";
    private const string Role = "finance-bots";

    public static TheoryData<GrantEffect?, GrantEffect?, ToolState, RiskLevel, DecisionKind> Combinations()
    {
        var data = new TheoryData<GrantEffect?, GrantEffect?, ToolState, RiskLevel, DecisionKind>();
        GrantEffect?[] effects = [null, GrantEffect.Allow, GrantEffect.Approve, GrantEffect.Deny];
        foreach (var agentGrant in effects)
        {
            foreach (var roleGrant in effects)
            {
                foreach (var state in Enum.GetValues<ToolState>())
                {
                    foreach (var risk in new[] { RiskLevel.Low, RiskLevel.High })
                    {
                        data.Add(agentGrant, roleGrant, state, risk, Expected(agentGrant, roleGrant, state, risk));
                    }
                }
            }
        }

        return data;
    }

    // The rules, stated independently of the engine: only an approved tool is callable; the strongest grant decides;
    // nothing granted is denied; risk at or above the threshold (high) turns an allow into an approval.
    private static DecisionKind Expected(GrantEffect? agentGrant, GrantEffect? roleGrant, ToolState state, RiskLevel risk)
    {
        if (state != ToolState.Approved)
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

    [Theory]
    [MemberData(nameof(Combinations))]
    public void EveryCombination_IsDecidedByTheRules(GrantEffect? agentGrant, GrantEffect? roleGrant, ToolState state, RiskLevel risk, DecisionKind expected)
    {
        List<Grant> grants = [];
        if (agentGrant is { } a)
        {
            grants.Add(new Grant { SubjectKind = SubjectKind.Agent, Subject = Agent, Server = "crm", Tool = "delete_record", Effect = a });
        }

        if (roleGrant is { } r)
        {
            grants.Add(new Grant { SubjectKind = SubjectKind.Role, Subject = Role, Server = "crm", Tool = Grant.AllTools, Effect = r });
        }

        var snapshot = Snapshot(grants, new PolicyTool("crm", "delete_record", state, state == ToolState.Approved, risk));

        var decision = snapshot.Decide(Agent, "crm", "delete_record");

        Assert.Equal(expected, decision.Kind);
        Assert.False(string.IsNullOrEmpty(decision.Reason));
        if (expected != DecisionKind.Deny || (state == ToolState.Approved && (agentGrant ?? roleGrant) is not null))
        {
            Assert.NotNull(decision.Grant);
        }
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

        Assert.Equal("Denied by the grant role:finance-bots → crm/delete_record deny.", denied.Reason);
        Assert.Equal(DecisionKind.RequireApproval, gated.Kind);
        Assert.Equal("role:finance-bots → crm/* approve", gated.Grant!.Description);
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
