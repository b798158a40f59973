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

    private async Task<string> ChangeAsync(HttpClient browser, string current, string next)
    {
        var response = await ConsoleSignIn.PostPageFormAsync(browser, "/account/password", "password",
            new Dictionary<string, string> { ["Input.Current"] = current, ["Input.New"] = next, ["Input.Confirm"] = next });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(_cancel);
    }
}
