using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Accounts;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

public sealed class UserDirectoryTests
{
    [Fact]
    public async Task TheLastEnabledAdministrator_CannotBeDisabledOrDemoted()
    {
        await using var app = new ShieldAppFactory();
        await using var scope = app.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        var admin = (await directory.ListAsync(TestContext.Current.CancellationToken)).Single(u => u.Email == ShieldAppFactory.AdminEmail);

        var disable = await directory.UpdateAsync(admin.Id, new UpdateUserRequest(null, false, null), actorId: null);
        var demote = await directory.UpdateAsync(admin.Id, new UpdateUserRequest([ShieldRoles.Auditor], null, null), actorId: null);

        Assert.Equal(UserErrorKind.Conflict, disable.Error?.Kind);
        Assert.Contains("last enabled administrator", disable.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(UserErrorKind.Conflict, demote.Error?.Kind);
        Assert.True((await directory.FindAsync(admin.Id))!.Enabled);
    }

    [Fact]
    public async Task AFailedChange_AppliesNothing()
    {
        await using var app = new ShieldAppFactory();
        var user = await app.CreateUserAsync(ShieldAppFactory.NewEmail(), ShieldRoles.Reviewer);
        await using var scope = app.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();

        // New roles are valid, the password is not: neither may be applied.
        var result = await directory.UpdateAsync(user.Id, new UpdateUserRequest([ShieldRoles.Auditor], null, "weak"), actorId: null);

        Assert.Equal(UserErrorKind.Invalid, result.Error?.Kind);
        await using var fresh = app.Services.CreateAsyncScope();
        Assert.Equal([ShieldRoles.Reviewer], (await fresh.ServiceProvider.GetRequiredService<UserDirectory>().FindAsync(user.Id))!.Roles);
    }

    [Fact]
    public async Task ReEnabling_LiftsALockout()
    {
        await using var app = new ShieldAppFactory();
        var email = ShieldAppFactory.NewEmail();
        var user = await app.CreateUserAsync(email, ShieldRoles.Reviewer);
        var client = app.CreateBrowserLikeClient();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await ConsoleSignIn.PostFormAsync(client, email, "Wrong-Passw0rd!");
        }

        await using var scope = app.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        Assert.True((await directory.FindAsync(user.Id))!.LockedOut);
        await directory.UpdateAsync(user.Id, new UpdateUserRequest(null, false, null), actorId: null);
        var enabled = await directory.UpdateAsync(user.Id, new UpdateUserRequest(null, true, null), actorId: null);

        Assert.False(enabled.User!.LockedOut);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await ConsoleSignIn.PostFormAsync(app.CreateBrowserLikeClient(), email, ShieldAppFactory.Password)).StatusCode);
    }
}
