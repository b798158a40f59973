using System.Text.Json;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Console.Components.Pages.Registry;
using Shield.Console.Governance;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Registry;

public sealed class GovernanceImportDialogTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();

    public ValueTask InitializeAsync()
    {
        Services.AddSingleton(_app.Services.GetRequiredService<GovernanceImporter>());
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task TheDialog_NamesEverySectionADocumentMayHold()
    {
        var sections = typeof(GovernanceDocument).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .Where(name => name is not ("version" or "mode")).ToList(); // the document's own fields, not sections
        var dialogs = RenderAs<MudDialogProvider>([ShieldRoles.Admin]);
        await dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<GovernanceImportDialog>("Import a governance document"));

        var listed = dialogs.WaitForElement("#governance-sections").QuerySelectorAll("li b").Select(b => b.TextContent).ToList();

        Assert.Equal(["servers", "tools", "agents", "grants", "redaction"], sections);
        Assert.Equal(sections, listed);
        Assert.Contains("grants not in it are removed", dialogs.Find("#governance-sections").TextContent, StringComparison.Ordinal);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }
}
