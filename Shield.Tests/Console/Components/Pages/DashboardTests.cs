using Bunit;
using Shield.Console.Components.Pages;
using Shield.Core.Accounts;

namespace Shield.Tests.Console.Components.Pages;

public sealed class DashboardTests : ComponentTestContext
{
    [Fact]
    public void AReviewer_IsPointedToApprovalsOnly()
    {
        var dashboard = RenderAs<Dashboard>([ShieldRoles.Reviewer]);

        Assert.Equal(["Approvals"], dashboard.FindAll(".shield-area-card h6").Select(h => h.TextContent));
    }

    [Fact]
    public void AnAuditor_SeesTheQuestionsTheConsoleAnswers()
    {
        var dashboard = RenderAs<Dashboard>([ShieldRoles.Auditor]);

        var cards = dashboard.FindAll(".shield-area-card h6").Select(h => h.TextContent).ToList();
        Assert.Equal(["Servers", "Tools", "Agents & Grants", "Sessions", "Audit"], cards);
        Assert.Contains("Which agents can call which tools?", dashboard.Markup, StringComparison.Ordinal);
    }
}
