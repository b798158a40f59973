using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Shield.Console.Relay;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Redaction;
using Shield.Core.Registry;

namespace Shield.Tests.Console.Relay;

/// <summary>
/// A call's admission, table by table: each row a call and a world (catalog, grants, limits), and what the agent is
/// told. The checks run in a fixed order, so the first thing wrong is what the agent reads.
/// </summary>
public sealed class CallAdmissionTests
{
    private const string Agent = "bot";
    private const int MaxInFlight = 16;
    private static readonly byte[] Key = new byte[32];

    // A world with four tools of server "crm": lookup (low, allowed), send (low, to approve), wipe (low, denied),
    // refused (approved but Shield cannot serve its definition); "draft" is granted but not approved.
    private static readonly PolicySnapshot Policy = new(
        [Tool("lookup", RiskLevel.Low), Tool("send", RiskLevel.Low), Tool("wipe", RiskLevel.Low), Tool("refused", RiskLevel.Low),
            new PolicyTool("crm", "draft", ToolState.PendingReview, false, RiskLevel.Low)],
        [new PolicyAgent(Agent, true, [])],
        [Grant("lookup", GrantEffect.Allow), Grant("send", GrantEffect.Approve), Grant("wipe", GrantEffect.Deny), Grant("draft", GrantEffect.Allow),
            Grant("refused", GrantEffect.Allow)],
        RiskLevel.High);

    private static readonly RelayCatalog.Entries Catalog = Entries(("lookup", RiskLevel.Low), ("send", RiskLevel.Low), ("wipe", RiskLevel.Low));

    public static TheoryData<string, string, bool, bool, string, McpErrorCode, string?> Calls() => new()
    {
        // listed tool, arguments, in scope, room in flight → refusal text (empty: admitted), code, recorded decision
        { "lookup", """{"text":"a"}""", true, true, "", default, nameof(DecisionKind.Allow) },
        { "send", """{"text":"a"}""", true, true, "", default, nameof(DecisionKind.RequireApproval) },
        { "lookup", "null", true, true, "", default, nameof(DecisionKind.Allow) },
        { "lookup", """{"text":"a"}""", true, false, "This session already has 16 calls in flight (Shield:Relay:MaxCallsInFlightPerSession)", McpErrorCode.InvalidRequest, null },
        { "lookup", $$"""{"text":"{{new string('x', 200)}}"}""", true, true, "Shield accepts at most 100 (Shield:Relay:MaxArgumentBytes)", McpErrorCode.InvalidParams, null },
        // The limits come first, whatever else is wrong.
        { "wipe", $$"""{"text":"{{new string('x', 200)}}"}""", false, false, "calls in flight", McpErrorCode.InvalidRequest, null },
        { "lookup", """{"text":"a"}""", false, true, "The tool 'crm__lookup' is not in this session's tools. Mint a session that asks for it.", McpErrorCode.InvalidParams, null },
        { "refused", """{"text":"a"}""", true, true, "Shield cannot serve the tool crm__refused: its schema is no object. An administrator must review it.", McpErrorCode.InvalidParams, null },
        { "draft", """{"text":"a"}""", true, true, "The tool crm__draft is not callable now:", McpErrorCode.InvalidParams, null },
        { "wipe", """{"text":"a"}""", true, true, "Denied by the grant", McpErrorCode.InvalidRequest, nameof(DecisionKind.Deny) },
        // A denial is said before the arguments are checked; arguments are checked before a person is asked.
        { "wipe", """{"text":1}""", true, true, "Denied by the grant", McpErrorCode.InvalidRequest, nameof(DecisionKind.Deny) },
        { "send", """{"text":1}""", true, true, "The arguments do not match the tool's input schema", McpErrorCode.InvalidParams, nameof(DecisionKind.RequireApproval) },
        { "lookup", """{"text":1}""", true, true, "The arguments do not match the tool's input schema", McpErrorCode.InvalidParams, nameof(DecisionKind.Allow) },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void ACall_IsAdmittedOrRefused_WithTheFirstThingWrong(string tool, string arguments, bool inScope, bool roomInFlight, string refusal, McpErrorCode code,
        string? decision)
    {
        var call = new CallRequest($"crm__{tool}", "crm", tool, inScope, roomInFlight,
            CallArguments.Read(JsonNode.Parse(arguments), maxBytes: 100, Key, Redactor.Default));

        var admission = CallAdmission.Admit(call, Catalog, Policy, Agent, new PolicyCall(null), MaxInFlight);

        if (refusal.Length == 0)
        {
            var admitted = Assert.IsType<Admitted>(admission);
            Assert.Equal(tool, admitted.Target.Name);
            Assert.Equal(decision, admitted.Decision.Kind.ToString());
        }
        else
        {
            var refused = Assert.IsType<Refused>(admission);
            Assert.Contains(refusal, refused.Reason, StringComparison.Ordinal);
            Assert.Equal(code, refused.Code);
            Assert.Equal(decision, refused.Decision?.Kind.ToString());
        }
    }

    public static TheoryData<RiskLevel, string, RiskLevel?, string> Approvals() => new()
    {
        // risk when asked, grant now, risk now (null: gone from the catalog) → refusal text (empty: goes on)
        { RiskLevel.Low, "lookup", RiskLevel.Low, "" },
        { RiskLevel.Critical, "lookup", RiskLevel.Critical, "" },
        { RiskLevel.Low, "lookup", RiskLevel.High, "" },
        { RiskLevel.Low, "lookup", RiskLevel.Critical, "the tool was raised to critical risk, which needs more reviewers" },
        { RiskLevel.High, "lookup", RiskLevel.Critical, "the tool was raised to critical risk, which needs more reviewers" },
        { RiskLevel.Low, "wipe", RiskLevel.Low, "Shield's policy changed and it is no longer allowed: Denied by the grant" },
        { RiskLevel.Low, "lookup", null, "Shield's policy changed and it is no longer allowed" },
    };

    [Theory]
    [MemberData(nameof(Approvals))]
    public void AnApprovedCall_GoesOnOnlyIfItCouldStillBeMadeNow(RiskLevel asked, string tool, RiskLevel? now, string refusal)
    {
        var approved = new RelayTool("crm", tool, asked, Definition(tool));
        var catalog = now is { } risk ? Entries((tool, risk)) : Entries();
        var admission = CallAdmission.AfterApproval(approved, catalog, Policy, Agent, new PolicyCall(null));

        if (refusal.Length == 0)
        {
            Assert.Equal(now, Assert.IsType<Admitted>(admission).Target.Risk);
        }
        else
        {
            var refused = Assert.IsType<Refused>(admission);
            Assert.Contains(refusal, refused.Reason, StringComparison.Ordinal);
            Assert.Equal(McpErrorCode.InvalidRequest, refused.Code);
        }
    }

    private static PolicyTool Tool(string name, RiskLevel risk) => new("crm", name, ToolState.Approved, true, risk);

    private static Grant Grant(string tool, GrantEffect effect) => new() { SubjectKind = SubjectKind.Agent, Subject = Agent, Server = "crm", Tool = tool, Effect = effect };

    private static Tool Definition(string name) => new()
    {
        Name = name,
        InputSchema = JsonDocument.Parse("""{"type":"object","properties":{"text":{"type":"string"}}}""").RootElement.Clone(),
    };

    private static RelayCatalog.Entries Entries(params (string Name, RiskLevel Risk)[] tools) => new(
        tools.ToFrozenDictionary(t => ("crm", t.Name), t => new RelayTool("crm", t.Name, t.Risk, Definition(t.Name))),
        FrozenDictionary<string, RegisteredServer>.Empty,
        new Dictionary<(string, string), string> { [("crm", "refused")] = "its schema is no object" }.ToFrozenDictionary());
}
