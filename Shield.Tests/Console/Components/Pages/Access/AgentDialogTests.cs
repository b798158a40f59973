using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Console.Agents;
using Shield.Console.Components.Pages.Access;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Access;

/// <summary>Registering an agent in the console, on the console's real directory over a real database.</summary>
public sealed class AgentDialogTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();

    public ValueTask InitializeAsync()
    {
        Services.AddSingleton(_app.Services.GetRequiredService<AgentDirectory>());
        return ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData("finance", "is not a person")]
    [InlineData("Rita <rita@example.com>", null)]
    public async Task TheOwner_MustBeAPerson_AndIsKeptInItsNormalForm(string owner, string? refusal)
    {
        var dialogs = RenderAs<MudDialogProvider>([ShieldRoles.Admin]);
        await dialogs.InvokeAsync(() => Services.GetRequiredService<IDialogService>().ShowAsync<AgentDialog>("New agent"));

        dialogs.WaitForElement("#agent-name").Input("owned-bot");
        dialogs.Find("#agent-owner").Input(owner);
        dialogs.Find("#agent-save").Click();

        if (refusal is null)
        {
            dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("#agent-save")));
            Assert.Equal("rita@example.com", Assert.Single(await _app.Services.GetRequiredService<AgentDirectory>().ListAsync(Xunit.TestContext.Current.CancellationToken)).Owner);
        }
        else
        {
            dialogs.WaitForAssertion(() => Assert.Contains(refusal, dialogs.Find("#agent-dialog-error").TextContent, StringComparison.Ordinal));
            Assert.Empty(await _app.Services.GetRequiredService<AgentDirectory>().ListAsync(Xunit.TestContext.Current.CancellationToken));
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }
}
