using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Components.Pages.Posture;
using Shield.Console.Posture;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Posture;

/// <summary>The Posture page and the Dashboard's glance, on the console's real services over a real database.</summary>
public sealed class PosturePageTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();

    public ValueTask InitializeAsync()
    {
        Services.AddSingleton(_app.Services.GetRequiredService<PostureReporter>());
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void ThePage_AnswersEveryQuestion_AndSaysTheChainWasNeverVerified()
    {
        var page = RenderAs<PosturePage>([ShieldRoles.Auditor]);

        page.WaitForAssertion(() => Assert.Equal(6, page.FindAll("#posture-report section").Count));
        Assert.Contains("0 failed sign-ins, 0 accounts locked", page.Find("#posture-security").TextContent, StringComparison.Ordinal);
        Assert.Contains("never been verified", page.Find("#posture-verification").TextContent, StringComparison.Ordinal);
        Assert.Contains("No tool calls in the last 24 hours", page.Find("#activity-empty").TextContent, StringComparison.Ordinal);
        Assert.Equal("/posture/report.html", page.Find("#posture-print").GetAttribute("href"));
        Assert.StartsWith("Each agent's counts cover the 0 tools approved and callable on enabled servers, the columns of the access matrix",
            page.Find("#posture-access-definition").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDashboard_ShowsTheFigures_ToAuditors()
    {
        var dashboard = RenderAs<Shield.Console.Components.Pages.Dashboard>([ShieldRoles.Auditor]);

        dashboard.WaitForAssertion(() => Assert.Equal(6, dashboard.FindAll("#posture-glance .shield-figure").Count));
        Assert.Contains("Audit records", dashboard.Find("#posture-glance").TextContent, StringComparison.Ordinal);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }
}
