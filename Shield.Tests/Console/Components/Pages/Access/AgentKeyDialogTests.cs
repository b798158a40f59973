using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;
using Shield.Console.Components.Pages.Access;

namespace Shield.Tests.Console.Components.Pages.Access;

public sealed class AgentKeyDialogTests : ComponentTestContext
{
    private const string Key = "shk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    [Fact]
    public async Task CopyingTheKey_SaysItWasCopied()
    {
        var copy = JSInterop.SetupVoid("navigator.clipboard.writeText", Key);
        copy.SetVoidResult();
        var dialogs = await OpenAsync();

        dialogs.Find("button[aria-label='Copy the key']").Click();

        dialogs.WaitForAssertion(() => Assert.Equal("Copied to the clipboard.", dialogs.Find("#agent-key-copied").TextContent.Trim()));
        Assert.Single(dialogs.FindAll("button[aria-label='Copied']"));
    }

    [Fact]
    public async Task ABrowserThatRefusesTheClipboard_IsNamed_InsteadOfAFalseConfirmation()
    {
        JSInterop.SetupVoid("navigator.clipboard.writeText", Key).SetException(new JSException("Write permission denied."));
        var dialogs = await OpenAsync();

        dialogs.Find("button[aria-label='Copy the key']").Click();

        dialogs.WaitForAssertion(() => Assert.StartsWith("The browser did not let Shield copy it", dialogs.Find("#agent-key-copied").TextContent.Trim(), StringComparison.Ordinal));
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenAsync()
    {
        var dialogs = Render<MudDialogProvider>();
        await dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<AgentKeyDialog>("Agent key",
            new DialogParameters<AgentKeyDialog> { { d => d.Key, Key } }));
        dialogs.WaitForElement("#agent-key");
        return dialogs;
    }
}
