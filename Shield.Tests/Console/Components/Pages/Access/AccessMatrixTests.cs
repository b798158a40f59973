using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Components.Pages.Access;
using Shield.Core.Grants;
using Shield.Core.Policy;
using Shield.Core.Registry;

namespace Shield.Tests.Console.Components.Pages.Access;

public sealed class AccessMatrixTests : ComponentTestContext
{
    public AccessMatrixTests()
    {
        var store = new PolicyStore();
        store.Replace(new PolicySnapshot(
            [
                new PolicyTool("crm", "lookup", ToolState.Approved, true, RiskLevel.Low),
                new PolicyTool("crm", "delete_record", ToolState.Approved, true, RiskLevel.Critical),
                new PolicyTool("crm", "pending_tool", ToolState.PendingReview, false, RiskLevel.Low),
            ],
            [new PolicyAgent("invoice-bot", true, ["finance-bots"]), new PolicyAgent("report-bot", true, [])],
            [
                new Grant { SubjectKind = SubjectKind.Role, Subject = "finance-bots", Server = "crm", Tool = Grant.AllTools, Effect = GrantEffect.Allow },
                new Grant { SubjectKind = SubjectKind.Agent, Subject = "report-bot", Server = "crm", Tool = "lookup", Effect = GrantEffect.Deny },
            ],
            RiskLevel.High));
        Services.AddSingleton(store);
        Services.AddSingleton(TimeProvider.System);
    }

    [Fact]
    public void EachCell_ShowsTheDecision_AndTheReasonOnHover()
    {
        var matrix = Render<AccessMatrix>();

        Assert.Equal(["crm__delete_record", "crm__lookup"], matrix.FindAll("#access-matrix thead th span").Select(s => s.TextContent));
        var cell = (string agent, string tool) => matrix.Find($"td[data-agent='{agent}'][data-tool='{tool}']");
        Assert.Equal("decision-allow", cell("invoice-bot", "crm__lookup").ClassName);
        Assert.Equal("Allowed by the grant role:finance-bots → crm__* allow.", cell("invoice-bot", "crm__lookup").GetAttribute("title"));
        Assert.Equal("decision-approve", cell("invoice-bot", "crm__delete_record").ClassName);
        Assert.Equal("decision-deny", cell("report-bot", "crm__lookup").ClassName);
        Assert.Equal("denied", cell("report-bot", "crm__delete_record").QuerySelector("svg")!.GetAttribute("aria-label"));
        Assert.Equal("needs a person's approval", cell("invoice-bot", "crm__delete_record").QuerySelector("svg")!.GetAttribute("aria-label"));
        Assert.Equal(3, matrix.FindAll("#access-matrix-legend svg").Count);
        Assert.Contains("over the 2 tools approved and callable on enabled servers", matrix.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCsv_HasOneLinePerAgentAndTool_Quoted()
    {
        var csv = AccessMatrixCsv.Write([new AccessMatrixCsv.Line("invoice-bot", "crm__lookup", DecisionKind.Allow, "Allowed, by \"role\".", "role:x → crm__* allow")]);

        Assert.Equal(["agent,tool,decision,reason,grant", "invoice-bot,crm__lookup,allow,\"Allowed, by \"\"role\"\".\",role:x → crm__* allow"],
            csv.Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries));
    }
}
