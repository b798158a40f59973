using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Components.Account;

/// <summary>A person changing their own password (account menu → Change password) is an account change in the trail.</summary>
public sealed class ChangePasswordTests : IAsyncLifetime
{
    private const string NewPassword = "N3w-Passw0rd!yz";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly ShieldAppFactory _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task ChangingOnesOwnPassword_IsRecorded_ByThePerson_AsAPasswordSet_NeverThePassword()
    {
        var person = await _app.CreateUserAsync(ShieldAppFactory.NewEmail("reviewer"), ShieldRoles.Reviewer);
        var browser = await ConsoleSignIn.SignedInClientAsync(_app, person.Email, ShieldAppFactory.Password);
        var before = (await _app.RecordsAsync(AuditEventTypes.Governance)).Count;

        var wrong = await ChangeAsync(browser, "Not-The-Passw0rd!", NewPassword);
        var changed = await ChangeAsync(browser, ShieldAppFactory.Password, NewPassword);

        Assert.Contains("Incorrect password.", wrong, StringComparison.Ordinal);
        Assert.Contains("Your password was changed.", changed, StringComparison.Ordinal);
        var record = Assert.Single((await _app.RecordsAsync(AuditEventTypes.Governance)).Skip(before));
        Assert.Equal((person.Id, person.Email, "user", person.Email, "updated"), (record.ActorId, record.ActorName, record.Subject, record.SubjectKey, record.Action));
        Assert.False(JsonDocument.Parse(record.Before!).RootElement.GetProperty("passwordSet").GetBoolean());
        Assert.True(JsonDocument.Parse(record.After!).RootElement.GetProperty("passwordSet").GetBoolean());
        Assert.DoesNotContain(NewPassword, JsonSerializer.Serialize(record), StringComparison.Ordinal);
        await ConsoleSignIn.SignedInClientAsync(_app, person.Email, NewPassword);
    }

    [Fact]
    public async Task GuessingTheCurrentPassword_CountsAsFailedSignIns_AndLocksTheAccountAsTheyWould()
    {
        var person = await _app.CreateUserAsync(ShieldAppFactory.NewEmail("reviewer"), ShieldRoles.Reviewer);
        var browser = await ConsoleSignIn.SignedInClientAsync(_app, person.Email, ShieldAppFactory.Password);

        for (var guess = 1; guess < Shield.Console.Accounts.PasswordPolicy.MaxFailedSignIns; guess++)
        {
            Assert.Contains("Incorrect password.", await ChangeAsync(browser, $"Guess-{guess}-Passw0rd!", NewPassword), StringComparison.Ordinal);
        }

        var last = await ChangeAsync(browser, "Guess-last-Passw0rd!", NewPassword);
        var right = await ChangeAsync(browser, ShieldAppFactory.Password, NewPassword);

        Assert.Contains("Your account is locked after", last, StringComparison.Ordinal);
        Assert.Contains("Your account is locked after", right, StringComparison.Ordinal);
        using var scope = _app.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<ShieldUser>>();
        var account = (await users.FindByIdAsync(person.Id))!;
        Assert.True(await users.IsLockedOutAsync(account));
        Assert.True(await users.CheckPasswordAsync(account, ShieldAppFactory.Password)); // unchanged
    }

    private async Task<string> ChangeAsync(HttpClient browser, string current, string next)
    {
        var response = await ConsoleSignIn.PostPageFormAsync(browser, "/account/password", "password",
            new Dictionary<string, string> { ["Input.Current"] = current, ["Input.New"] = next, ["Input.Confirm"] = next });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(_cancel);
    }
}
