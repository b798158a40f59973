using System.Text.Json;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Console.Components.Pages.Settings;
using Shield.Console.Redaction;
using Shield.Core.Accounts;
using Shield.Core.Redaction;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Pages.Settings;

/// <summary>The redaction rules editor, on the console's real services over a real database.</summary>
public sealed class RedactionPanelTests : ComponentTestContext, IAsyncLifetime
{
    private readonly ShieldAppFactory _app = new();

    private RedactionBook Book => _app.Services.GetRequiredService<RedactionBook>();

    public ValueTask InitializeAsync()
    {
        Services.AddSingleton(Book);
        return ValueTask.CompletedTask;
    }

    [Fact]
    public void WithoutRules_ItListsTheBuiltInDetectors_AndExplainsWhatRulesDo()
    {
        var panel = Opened();

        Assert.Contains("No rules of your own yet", panel.Markup, StringComparison.Ordinal);
        Assert.Contains("email addresses", panel.Find("#redaction-builtins").TextContent, StringComparison.Ordinal);
        Assert.True(panel.Find("#redaction-save").HasAttribute("disabled"));
    }

    [Fact]
    public async Task AKeyAdded_AndSaved_IsStored_AndMaskedByTheCurrentRedactorAtOnce()
    {
        var panel = Opened();

        AddKey(panel, " badge_no ");
        panel.WaitForAssertion(() => Assert.Equal("badge_no", panel.Find("#redaction-keys").TextContent.Trim()));
        Assert.NotEmpty(panel.FindAll("#redaction-unsaved"));
        panel.Find("#redaction-save").Click();

        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("#redaction-unsaved")));
        Assert.Equal(new RedactionRules(["badge_no"], []), await Book.LoadAsync(Xunit.TestContext.Current.CancellationToken));
        var redacted = _app.Services.GetRequiredService<RedactorStore>().Current.Redact(JsonDocument.Parse("""{"badgeNo":"B-7"}""").RootElement);
        Assert.Equal("""{"badgeNo":"[REDACTED:secret]"}""", redacted);
    }

    [Fact]
    public void AKeyListedAlready_IsRefusedUnderTheField()
    {
        var panel = Opened();
        AddKey(panel, "patient");

        AddKey(panel, "PATIENT");

        panel.WaitForAssertion(() => Assert.Contains("'PATIENT' is the same key as keys[0] ('patient')", Helps(panel), StringComparison.Ordinal));
        Assert.Equal("patient", panel.Find("#redaction-keys").TextContent.Trim());
    }

    [Fact]
    public void AnInvalidRegex_ShowsWhyUnderTheField_AndIsNotAdded()
    {
        var panel = Opened();

        AddPattern(panel, "employee-id", "EMP-(\\d{6}");

        panel.WaitForAssertion(() => Assert.Contains("The regex does not compile: Invalid pattern 'EMP-(\\d{6}' at offset 10. Not enough )'s.", Helps(panel), StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("#redaction-patterns"));

        AddPattern(panel, "employee-id", "EMP-\\d{6}");

        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("#redaction-patterns tbody tr")));
        Assert.DoesNotContain("The regex does not compile", Helps(panel), StringComparison.Ordinal);
    }

    [Fact]
    public void TryIt_MasksAValue_WithTheRulesAsEdited_BeforeTheyAreSaved()
    {
        var panel = Opened();
        AddPattern(panel, "employee-id", "EMP-\\d{6}");

        panel.Find("#redaction-sample").Input("""{"note": "ask EMP-123456", "to": "ada@example.com", "count": 3}""");

        panel.WaitForAssertion(() => Assert.Contains("\"note\": \"ask [REDACTED:employee-id]\"", panel.Find("#redaction-result").TextContent, StringComparison.Ordinal));
        Assert.Contains("\"to\": \"[REDACTED:email]\"", panel.Find("#redaction-result").TextContent, StringComparison.Ordinal);
        Assert.Contains("\"count\": 3", panel.Find("#redaction-result").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TryIt_SaysClearlyWhenTheSampleIsNotJson()
    {
        var panel = Opened();

        panel.Find("#redaction-sample").Input("{password: hunter2}");

        panel.WaitForAssertion(() => Assert.Contains("This is not valid JSON (line 1", panel.Find("#redaction-result-problem").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("#redaction-result"));
    }

    [Fact]
    public async Task RemovingAPattern_AsksFirst_AndOnlyAYesRemovesIt()
    {
        await Book.SaveAsync(RedactionRules.None, new RedactionRules([], [new RedactionPattern("employee-id", "EMP-\\d{6}")]), Registrations.Admin, Xunit.TestContext.Current.CancellationToken);
        var panel = Opened();
        var dialogs = Render<MudDialogProvider>();
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("#redaction-patterns tbody tr")));

        panel.Find("[aria-label='Remove employee-id']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("no longer masked", dialogs.Markup, StringComparison.Ordinal));
        Button(dialogs, "Cancel").Click();
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("no longer masked", dialogs.Markup, StringComparison.Ordinal));
        Assert.Single(panel.FindAll("#redaction-patterns tbody tr"));

        panel.Find("[aria-label='Remove employee-id']").Click();
        dialogs.WaitForAssertion(() => Button(dialogs, "Remove").Click());

        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("#redaction-patterns")));
        Assert.NotEmpty(panel.FindAll("#redaction-unsaved"));
    }

    private IRenderedComponent<CascadingAuthenticationState> Opened()
    {
        var panel = RenderAs<RedactionPanel>([ShieldRoles.Admin]);
        panel.WaitForElement("#redaction-sample");
        return panel;
    }

    private static void AddKey(IRenderedComponent<CascadingAuthenticationState> panel, string key)
    {
        panel.Find("#redaction-new-key").Input(key);
        panel.Find("#redaction-add-key").Click();
    }

    private static void AddPattern(IRenderedComponent<CascadingAuthenticationState> panel, string name, string regex)
    {
        panel.Find("#redaction-new-name").Input(name);
        panel.Find("#redaction-new-regex").Input(regex);
        panel.Find("#redaction-add-pattern").Click();
    }

    // What the fields say under them: helper texts and inline errors.
    private static string Helps(IRenderedComponent<CascadingAuthenticationState> panel) =>
        string.Join(" | ", panel.FindAll(".mud-input-helper-text").Select(e => e.TextContent));

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<MudDialogProvider> dialogs, string text) =>
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == text);

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _app.DisposeAsync();
    }
}
