using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

public sealed class AdminBootstrapTests
{
    [Fact]
    public async Task FirstStart_CreatesTheConfiguredAdmin_AndRestartCreatesNoSecond()
    {
        using var folder = new TempFolder();
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path })
        {
            var admins = await AdminsAsync(first);
            Assert.Equal([ShieldAppFactory.AdminEmail], admins);
            Assert.Contains(first.Logs.Messages("AdminBootstrapper"), m => m.Contains("password from Shield:Bootstrap:AdminPassword", StringComparison.Ordinal));
        }

        await using var second = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Bootstrap:AdminEmail"] = "other@shield.test" }, DataDirectory = folder.Path };

        Assert.Equal([ShieldAppFactory.AdminEmail], await AdminsAsync(second));
        Assert.Empty(second.Logs.Messages("AdminBootstrapper"));
    }

    [Fact]
    public async Task WithoutAPassword_AGeneratedOneIsLoggedOnce_AndItsFirstSignInAsksForANewOne()
    {
        using var folder = new TempFolder();
        var unset = new Dictionary<string, string?> { ["Shield:Bootstrap:AdminPassword"] = null, ["Shield:Bootstrap:AdminEmail"] = null };
        string password;
        await using (var first = new ShieldAppFactory { Settings = unset, DataDirectory = folder.Path })
        {
            Assert.Equal(["admin@shield.local"], await AdminsAsync(first));
            var message = Assert.Single(first.Logs.Messages("AdminBootstrapper"));
            password = message.Split("generated password ")[1].Split(' ')[0];

            var browser = first.CreateBrowserLikeClient();
            var response = await ConsoleSignIn.PostFormAsync(browser, "admin@shield.local", password, "/audit");
            Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("https://localhost/account/password?returnUrl=%2Faudit", response.Headers.Location?.ToString());
            Assert.Contains("Choose a password of your own before you go on", await browser.GetStringAsync("/account/password?returnUrl=%2Faudit", TestContext.Current.CancellationToken), StringComparison.Ordinal);

            var changed = await ConsoleSignIn.PostPageFormAsync(browser, "/account/password?returnUrl=%2Faudit", "password",
                new Dictionary<string, string> { ["Input.Current"] = password, ["Input.New"] = "Own-Passw0rd!x", ["Input.Confirm"] = "Own-Passw0rd!x" });
            var page = await changed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.Contains("Your password was changed", page, StringComparison.Ordinal);
            Assert.Contains("href=\"/audit\"", page, StringComparison.Ordinal);
            Assert.DoesNotContain("password-generated", page, StringComparison.Ordinal);

            var again = await ConsoleSignIn.PostFormAsync(first.CreateBrowserLikeClient(), "admin@shield.local", "Own-Passw0rd!x", "/audit");
            Assert.Equal("https://localhost/audit", again.Headers.Location?.ToString());
        }

        await using var second = new ShieldAppFactory { Settings = unset, DataDirectory = folder.Path };
        _ = second.Services;
        Assert.DoesNotContain(second.Logs.Entries, e => e.Message.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheThreeRolesExist()
    {
        await using var app = new ShieldAppFactory();
        await using var scope = app.Services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();

        Assert.Equal(ShieldRoles.All.Order(), (await roles.Roles.Select(r => r.Name!).ToListAsync(TestContext.Current.CancellationToken)).Order());
    }

    private static async Task<List<string>> AdminsAsync(ShieldAppFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ShieldUser>>();
        return [.. (await users.GetUsersInRoleAsync(ShieldRoles.Admin)).Select(u => u.Email!)];
    }
}
