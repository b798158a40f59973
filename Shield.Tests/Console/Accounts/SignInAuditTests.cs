using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Accounts;
using Shield.Console.Auditing;
using Shield.Core.Accounts;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

/// <summary>
/// Refused sign-ins, accounts locking and clients using up their tries are in the audit trail for auditors, never
/// with a password, and the answer to the person signing in does not depend on the trail.
/// </summary>
public sealed class SignInAuditTests : IAsyncLifetime
{
    private const string WrongPassword = "Wrong-Passw0rd!";
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly ShieldAppFactory _app = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task EachRefusedSignIn_IsRecorded_WithTheAccountTheClientAndTheDoor_NeverThePassword()
    {
        var wrong = await _app.CreateUserAsync(ShieldAppFactory.NewEmail(), ShieldRoles.Auditor);
        var disabled = await _app.CreateUserAsync(ShieldAppFactory.NewEmail(), ShieldRoles.Auditor);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ShieldUser>>();
            var account = (await users.FindByIdAsync(disabled.Id))!;
            account.Enabled = false;
            await users.UpdateAsync(account);
        }

        var nobody = ShieldAppFactory.NewEmail("nobody");
        const string TypedInTheEmailField = "Hunter2-S3cret!";
        await LoginAsync("10.5.0.1", wrong.Email, WrongPassword);
        await ConsoleSignIn.PostFormAsync(TestClientAddress.From(_app, "10.5.0.2"), nobody, ShieldAppFactory.Password);
        await LoginAsync("10.5.0.3", TypedInTheEmailField, ShieldAppFactory.Password);
        await LoginAsync("10.5.0.4", disabled.Email, ShieldAppFactory.Password);

        var records = await _app.RecordsAsync(AuditEventTypes.SignInFailed);

        Assert.Equal(
        [
            (wrong.Id, wrong.Email, "Wrong password: failure 1 of 5 before the account locks.", "10.5.0.1", "api", "enabled"),
            ("", nobody, "No account has this email address.", "10.5.0.2", "console", "unknown"),
            ("", SignInRecords.Withheld, "No account has this email address.", "10.5.0.3", "api", "unknown"),
            (disabled.Id, disabled.Email, "The password was right, but the account is disabled.", "10.5.0.4", "api", "disabled"),
        ], records.Select(r => (r.ActorId, r.ActorName, r.Reason, After(r, "client"), After(r, "via"), After(r, "account"))));
        Assert.All(records, r => Assert.Equal(("person", "refused"), (r.ActorKind, r.Outcome)));
        var everything = JsonSerializer.Serialize(records);
        Assert.DoesNotContain(WrongPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(ShieldAppFactory.Password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(TypedInTheEmailField, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAccountLocking_AndAClientUsingUpItsTries_AreEachRecordedOnce_ButNotEveryRefusalAfter()
    {
        var email = (await _app.CreateUserAsync(ShieldAppFactory.NewEmail(), ShieldRoles.Auditor)).Email;
        foreach (var address in new[] { "10.6.0.1", "10.6.0.1", "10.6.0.1", "10.6.0.1" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(address, email, WrongPassword)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync("10.6.0.1", email, WrongPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginAsync("10.6.0.1", email, WrongPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync("10.6.0.2", email, WrongPassword)).StatusCode); // the fifth: locks it

        var records = await _app.RecordsAsync(AuditEventTypes.SignInFailed, AuditEventTypes.SignInThrottled, AuditEventTypes.SignInLockedOut);

        Assert.Equal(
        [
            AuditEventTypes.SignInFailed, AuditEventTypes.SignInFailed, AuditEventTypes.SignInFailed, AuditEventTypes.SignInFailed, AuditEventTypes.SignInThrottled,
            AuditEventTypes.SignInFailed, AuditEventTypes.SignInLockedOut,
        ], records.Select(r => r.EventType));
        var throttled = records.Single(r => r.EventType == AuditEventTypes.SignInThrottled);
        Assert.Equal(("client", "10.6.0.1", email), (throttled.Subject, throttled.SubjectKey, throttled.ActorName));
        Assert.StartsWith("4 failed sign-ins from this client address within 00:15:00", throttled.Reason, StringComparison.Ordinal);
        var locked = records.Single(r => r.EventType == AuditEventTypes.SignInLockedOut);
        Assert.Equal(("account", email, "10.6.0.2"), (locked.Subject, locked.SubjectKey, After(locked, "client")));
        Assert.True(JsonDocument.Parse(locked.After!).RootElement.GetProperty("lockedUntilUtc").GetDateTime() > DateTime.UtcNow);
        Assert.Equal("Wrong password; the account is now locked.", records[^2].Reason);
    }

    [Fact]
    public async Task WhileTheTrailIsHalted_SignInAnswersAsAlways()
    {
        using var folder = new TempFolder();
        var settings = StoppedTrail.KeyedSettings(folder);
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            await first.CreateUserAsync("kept@shield.test", ShieldRoles.Auditor);
        }

        await StoppedTrail.AppendForgedAsync(folder, _cancel);
        await using var app = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await Assert.ThrowsAsync<AuditUnavailableException>(async () => await writer.AppendAsync(StoppedTrail.Call(1), _cancel));

        var wrong = await TestClientAddress.From(app, "10.7.0.1").PostAsJsonAsync("/api/auth/login", new { email = "kept@shield.test", password = WrongPassword }, _cancel);
        var right = await TestClientAddress.From(app, "10.7.0.1").PostAsJsonAsync("/api/auth/login", new { email = "kept@shield.test", password = ShieldAppFactory.Password }, _cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(PasswordSignIn.WrongCredentials, (await wrong.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    private Task<HttpResponseMessage> LoginAsync(string address, string email, string password) =>
        TestClientAddress.From(_app, address).PostAsJsonAsync("/api/auth/login", new { email, password }, _cancel);

    private static string? After(AuditRecord record, string property) =>
        JsonDocument.Parse(record.After!).RootElement.GetProperty(property).GetString();
}
