using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Accounts;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Accounts;

/// <summary>
/// On start: makes sure the three app roles exist and, when there is no local account at all, creates the first
/// administrator. Runs after the database is migrated.
/// </summary>
internal sealed partial class AdminBootstrapper(
    IServiceScopeFactory scopes,
    IOptions<BootstrapOptions> options,
    ILogger<AdminBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in ShieldRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Ensure(await roles.CreateAsync(new IdentityRole(role)), $"create the role {role}");
            }
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<ShieldUser>>();
        if (await users.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var settings = options.Value;
        var generated = string.IsNullOrEmpty(settings.AdminPassword);
        var password = generated ? PasswordPolicy.Generate() : settings.AdminPassword!;
        var admin = new ShieldUser
        {
            UserName = settings.AdminEmail,
            Email = settings.AdminEmail,
            EmailConfirmed = true,
            CreatedAtUtc = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
        };
        Ensure(await users.CreateAsync(admin, password), $"create the first administrator {settings.AdminEmail}");
        Ensure(await users.AddToRoleAsync(admin, ShieldRoles.Admin), $"make {settings.AdminEmail} an administrator");
        if (generated)
        {
            Ensure(await users.AddClaimAsync(admin, new Claim(PasswordPolicy.GeneratedClaim, "true")), $"ask {settings.AdminEmail} for a password of their own");
        }

        var db = scope.ServiceProvider.GetRequiredService<ShieldDbContext>();
        db.GovernanceChanges.Add(GovernanceChange.By(Actor.Shield("bootstrap"), admin.CreatedAtUtc, "user", settings.AdminEmail, ChangeActions.Created,
            after: JsonSerializer.Serialize(new { email = settings.AdminEmail, roles = new[] { ShieldRoles.Admin }, enabled = true, passwordSet = true })));
        await db.SaveChangesAsync(cancellationToken);

        if (generated)
        {
            LogGeneratedAdmin(logger, settings.AdminEmail, password);
        }
        else
        {
            LogConfiguredAdmin(logger, settings.AdminEmail);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void Ensure(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"Shield could not {what}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the first administrator {Email} with the generated password {Password} . " +
        "It is shown only this once: sign in, and Shield asks for a password of your own; or set Shield:Bootstrap:AdminPassword before the first start.")]
    private static partial void LogGeneratedAdmin(ILogger logger, string email, string password);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first administrator {Email} with the password from Shield:Bootstrap:AdminPassword.")]
    private static partial void LogConfiguredAdmin(ILogger logger, string email);
}
