using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Posture;
using Shield.Tests.Infrastructure;
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
    public async Task AnAuditor_SeesTheQuestionsTheConsoleAnswers()
    {
        await using var app = new ShieldAppFactory();
        Services.AddSingleton(app.Services.GetRequiredService<PostureReporter>());
        var dashboard = RenderAs<Dashboard>([ShieldRoles.Auditor]);

        var cards = dashboard.FindAll(".shield-area-card h6").Select(h => h.TextContent).ToList();
        Assert.Equal(["Servers", "Tools", "Agents & Grants", "Sessions", "Audit", "Posture"], cards);
        Assert.Contains("Which agents can call which tools?", dashboard.Markup, StringComparison.Ordinal);
    }
}
