using CsCheck;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Tests.Core.Policy;

/// <summary>Properties that hold for any set of grants: random worlds, checked by CsCheck (shrinking failures).</summary>
public sealed class PolicyPropertyTests
{
    private static readonly string[] Agents = ["a1", "a2", "a3"];
    private static readonly string[] Roles = ["r1", "r2"];
    private static readonly string[] Servers = ["s1", "s2"];
    private static readonly string[] ToolNames = ["t1", "t2", Grant.AllTools];

    private static readonly Gen<Grant> AGrant =
        from kind in Gen.Enum<SubjectKind>()
        from subject in Gen.OneOf(kind == SubjectKind.Agent ? Agents : Roles)
        from server in Gen.OneOf(Servers)
        from tool in Gen.OneOf(ToolNames)
        from effect in Gen.Enum<GrantEffect>()
        select new Grant { SubjectKind = kind, Subject = subject, Server = server, Tool = tool, Effect = effect };

    private static readonly Gen<PolicyTool> ATool =
        from server in Gen.OneOf(Servers)
        from name in Gen.OneOf("t1", "t2")
        from state in Gen.Enum<ToolState>()
        from risk in Gen.Enum<RiskLevel>()
        select new PolicyTool(server, name, state, state == ToolState.Approved, risk);

    private static readonly Gen<(List<Grant> Grants, PolicyTool Tool, string Agent)> AWorld =
        from grants in AGrant.List[0, 12]
        from tool in ATool
        from agent in Gen.OneOf(Agents)
        select (grants, tool, agent);

    private static PolicySnapshot Build(List<Grant> grants, PolicyTool tool) => new(
        [tool], [new PolicyAgent("a1", true, ["r1"]), new PolicyAgent("a2", true, ["r1", "r2"]), new PolicyAgent("a3", true, [])], grants, RiskLevel.High);

    private static IEnumerable<Grant> Applicable(List<Grant> grants, PolicyTool tool, string agent)
    {
        var roles = RolesOf(agent);
        return grants.Where(g => g.Server == tool.Server && (g.Tool == tool.Name || g.Tool == Grant.AllTools)
            && (g.SubjectKind == SubjectKind.Agent ? g.Subject == agent : roles.Contains(g.Subject)));
    }

    private static string[] RolesOf(string agent) => agent switch { "a1" => ["r1"], "a2" => ["r1", "r2"], _ => [] };

    // Any world with an approved tool, plus one deny that applies to the agent (directly or through a role, to the tool
    // or to its whole server), among any other grants.
    private static readonly Gen<(List<Grant> Grants, PolicyTool Tool, string Agent)> AWorldWithADeny =
        from world in AWorld
        from viaRole in Gen.Bool
        from wholeServer in Gen.Bool
        let tool = world.Tool with { State = ToolState.Approved, Callable = true }
        let role = RolesOf(world.Agent).FirstOrDefault()
        let deny = new Grant
        {
            SubjectKind = viaRole && role is not null ? SubjectKind.Role : SubjectKind.Agent,
            Subject = viaRole && role is not null ? role : world.Agent,
            Server = tool.Server,
            Tool = wholeServer ? Grant.AllTools : tool.Name,
            Effect = GrantEffect.Deny,
        }
        select (world.Grants.Append(deny).ToList(), tool, world.Agent);

    [Fact]
    public void DenyAlwaysWins() =>
        AWorldWithADeny.Sample(w => Build(w.Grants, w.Tool).Decide(w.Agent, w.Tool.Server, w.Tool.Name).Kind == DecisionKind.Deny, iter: 2_000);

    [Fact]
    public void AToolThatIsNotApproved_IsNeverCallable() =>
        AWorld.Where(w => !w.Tool.Callable)
            .Sample(w => Build(w.Grants, w.Tool).Decide(w.Agent, w.Tool.Server, w.Tool.Name).Kind == DecisionKind.Deny, iter: 2_000);

    [Fact]
    public void NothingApplicable_MeansDenied() =>
        AWorld.Where(w => !Applicable(w.Grants, w.Tool, w.Agent).Any())
            .Sample(w => Build(w.Grants, w.Tool).Decide(w.Agent, w.Tool.Server, w.Tool.Name).Kind == DecisionKind.Deny, iter: 2_000);

    [Fact]
    public void AnAllowedCall_NeverHasAHighRiskOrAnApproveOrDenyGrantApplying() =>
        AWorld.Sample(w =>
        {
            var decision = Build(w.Grants, w.Tool).Decide(w.Agent, w.Tool.Server, w.Tool.Name);
            return decision.Kind != DecisionKind.Allow
                || (w.Tool.Risk < RiskLevel.High && Applicable(w.Grants, w.Tool, w.Agent).All(g => g.Effect == GrantEffect.Allow));
        }, iter: 2_000);
}
