using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Console.Components.Pages.Registry;
using Shield.Console.Registry;
using Shield.Core.Registry;

namespace Shield.Tests.Console.Components.Pages.Registry;

public sealed class ApproveToolsDialogTests : ComponentTestContext
{
    [Fact]
    public async Task ABulkApproval_ListsEachDefinitionWithItsRisk_BeforeAnythingIsApproved()
    {
        ToolView[] tools = [Tool("everything", "echo", RiskLevel.Low, "Echoes back the input"), Tool("everything", "printEnv", RiskLevel.High, "Prints all <b>environment</b> variables")];
        var dialogs = Render<MudDialogProvider>();
        IDialogReference? dialog = null;
        await dialogs.InvokeAsync(async () => dialog = await Services.GetRequiredService<IDialogService>().ShowAsync<ApproveToolsDialog>("Approve 2 tools?",
            new DialogParameters<ApproveToolsDialog> { { d => d.Tools, tools } }));

        var rows = dialogs.WaitForElement("#approve-tools-list").QuerySelectorAll("tbody tr");

        Assert.Equal(["everything__echo", "everything__printEnv"], rows.Select(r => r.GetAttribute("data-tool")));
        Assert.Equal(["Low", "High"], rows.Select(r => r.QuerySelectorAll("td")[1].TextContent.Trim()));
        Assert.Contains("Prints all <b>environment</b> variables", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Equal("Approve 2 tools", dialogs.Find("#approve-tools-confirm").TextContent.Trim());
        Assert.False(dialog!.Result.IsCompleted);

        dialogs.Find("#approve-tools-confirm").Click();
        Assert.False((await dialog.Result)!.Canceled);
    }

    private static ToolView Tool(string server, string name, RiskLevel risk, string description) => new(
        Guid.NewGuid(), server, name, null, description, ToolState.PendingReview, risk, risk, "sha256:" + new string('a', 64), null, false,
        DateTime.UtcNow, DateTime.UtcNow, null, null);
}
