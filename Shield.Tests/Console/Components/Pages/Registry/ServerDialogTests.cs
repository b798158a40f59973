using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Console.Components.Pages.Registry;
using Shield.Console.Registry;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Registry;

/// <summary>The server dialog, on the console's real catalog over a real database.</summary>
public sealed class ServerDialogTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();

    private ServerCatalog Catalog => _app.Services.GetRequiredService<ServerCatalog>();

    public ValueTask InitializeAsync()
    {
        Services.AddSingleton(Catalog);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task AHeaderValueWithALineBreak_IsRefusedUnderTheHeaders_AndNothingIsRegistered()
    {
        var dialogs = RenderAs<MudDialogProvider>([ShieldRoles.Admin]);
        await dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<ServerDialog>("Register a server"));

        dialogs.WaitForElement("#server-name").Input("crm");
        dialogs.Find("#server-url").Input("https://crm.example/mcp");
        dialogs.FindAll("button").Single(b => b.TextContent.Contains("Add header", StringComparison.Ordinal)).Click();
        dialogs.WaitForElement(".setting-name input").Input("Authorization");
        dialogs.Find(".setting-value input").Input("Bearer x\r\nX-Injected: yes");
        dialogs.Find("#server-save").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("The value of the header 'Authorization' holds a control character (U+000D) at position 9",
            dialogs.Find("#server-dialog-error").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("X-Injected", dialogs.Find("#server-dialog-error").TextContent, StringComparison.Ordinal);
        Assert.Contains(dialogs.FindAll(".mud-error-text"), e => e.TextContent.Contains("holds a control character", StringComparison.Ordinal));
        Assert.Null(await Catalog.FindAsync("crm", Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ALocalProcess_SaysWhichFolderRelativePathsStartFrom()
    {
        var server = await _app.StdioServerAsync("files", "node", ["server.js"]);
        var dialogs = RenderAs<MudDialogProvider>([ShieldRoles.Admin]);
        await dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<ServerDialog>("Edit files",
            new DialogParameters<ServerDialog> { { d => d.Existing, server } }));

        dialogs.WaitForElement("#server-arguments");

        Assert.Contains($"Relative paths in the command and its arguments start from Shield's working folder, {Environment.CurrentDirectory}",
            dialogs.Markup, StringComparison.Ordinal);
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }
}
