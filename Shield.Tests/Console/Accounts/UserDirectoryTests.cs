using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Accounts;
using Shield.Console.Common;
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

        Assert.Equal(RefusalKind.Conflict, disable.Refusal?.Kind);
        Assert.Contains("last enabled administrator", disable.Refusal!.Message, StringComparison.Ordinal);
        Assert.Equal(RefusalKind.Conflict, demote.Refusal?.Kind);
        Assert.True((await directory.FindAsync(admin.Id))!.Enabled);
    }

    [Fact]
    public async Task AChangeThatFailsHalfway_AppliesNothing()
    {
        await using var app = new ShieldAppFactory();
        var email = ShieldAppFactory.NewEmail();
        var user = await app.CreateUserAsync(email, ShieldRoles.Reviewer);
        await using var scope = app.Services.CreateAsyncScope();
        // The new password is valid and is written first; adding a role that has vanished then fails.
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        Assert.True((await roles.DeleteAsync((await roles.FindByNameAsync(ShieldRoles.Auditor))!)).Succeeded);
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();

        await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            directory.UpdateAsync(user.Id, new UpdateUserRequest([ShieldRoles.Auditor], null, "N3w-Passw0rd!!"), actorId: null));

        await using var fresh = app.Services.CreateAsyncScope();
        Assert.Equal([ShieldRoles.Reviewer], (await fresh.ServiceProvider.GetRequiredService<UserDirectory>().FindAsync(user.Id))!.Roles);
        await ConsoleSignIn.LoginAsync(app.CreateBrowserLikeClient(), email, ShieldAppFactory.Password);
    }

    [Fact]
    public async Task AnAdministratorDemotedMeanwhile_CanNoLongerChangeAccounts()
    {
        await using var app = new ShieldAppFactory();
        var former = await app.CreateUserAsync(ShieldAppFactory.NewEmail("admin"), ShieldRoles.Admin);
        var target = await app.CreateUserAsync(ShieldAppFactory.NewEmail(), ShieldRoles.Reviewer);
        await using var scope = app.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        Assert.Null((await directory.UpdateAsync(former.Id, new UpdateUserRequest([ShieldRoles.Auditor], null, null), actorId: null)).Refusal);

        var update = await directory.UpdateAsync(target.Id, new UpdateUserRequest(null, false, null), former.Id);
        var create = await directory.CreateAsync(new CreateUserRequest(ShieldAppFactory.NewEmail(), ShieldAppFactory.Password, [ShieldRoles.Admin], true), former.Id);

        Assert.Equal(RefusalKind.Forbidden, update.Refusal?.Kind);
        Assert.Equal(RefusalKind.Forbidden, create.Refusal?.Kind);
        Assert.True((await directory.FindAsync(target.Id))!.Enabled);
    }

    [Fact]
    public async Task ReEnabling_LiftsALockout()
    {
        await using var app = new ShieldAppFactory();
        var email = ShieldAppFactory.NewEmail();
        var user = await app.CreateUserAsync(email, ShieldRoles.Reviewer);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // From several addresses: one client alone is stopped by the per-client limit before the account locks.
            await ConsoleSignIn.PostFormAsync(TestClientAddress.From(app, $"192.0.2.{attempt + 1}"), email, "Wrong-Passw0rd!");
        }

        await using var scope = app.Services.CreateAsyncScope();
        var directory = scope.ServiceProvider.GetRequiredService<UserDirectory>();
        Assert.True((await directory.FindAsync(user.Id))!.LockedOut);
        await directory.UpdateAsync(user.Id, new UpdateUserRequest(null, false, null), actorId: null);
        var enabled = await directory.UpdateAsync(user.Id, new UpdateUserRequest(null, true, null), actorId: null);

        Assert.False(enabled.Value!.LockedOut);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await ConsoleSignIn.PostFormAsync(TestClientAddress.From(app, "192.0.2.9"), email, ShieldAppFactory.Password)).StatusCode);
    }
}
