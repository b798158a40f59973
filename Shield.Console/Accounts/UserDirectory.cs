using System.Data;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Common;
using Shield.Core.Accounts;
using Shield.Core.Governance;
using Shield.Core.Persistence;

namespace Shield.Console.Accounts;

/// <summary>
/// Lists, creates and changes local accounts for the Users page and <c>/api/users</c>, with the guards that keep
/// the console administrable: nobody disables or demotes themselves, and the last enabled administrator stays.
/// Every change that affects access renews the account's security stamp, which ends its existing sign-ins.
/// Each change is one transaction: it applies whole or not at all. Use one instance per operation.
/// </summary>
public sealed class UserDirectory(UserManager<ShieldUser> users, ShieldDbContext db, AccountChanges changes, TimeProvider time)
{
    public async Task<IReadOnlyList<UserView>> ListAsync(CancellationToken cancellationToken = default) =>
        (await PageAsync(null, int.MaxValue - 1, cancellationToken)).Items;

    /// <summary>One page of the accounts by email address, after the account whose address is <paramref name="after"/>.</summary>
    public async Task<Api.Page<UserView>> PageAsync(string? after, int size, CancellationToken cancellationToken = default)
    {
        var query = users.Users.AsNoTracking();
        query = after is null ? query : query.Where(u => string.Compare(u.Email, after) > 0);
        var accounts = await query.OrderBy(u => u.Email).Take(size + 1).ToListAsync(cancellationToken);
        var views = new List<UserView>(accounts.Count);
        foreach (var account in accounts)
        {
            views.Add(await ViewAsync(account));
        }

        return Api.Page<UserView>.Of(views, size, u => u.Email);
    }

    public async Task<UserView?> FindAsync(string id) =>
        await users.FindByIdAsync(id) is { } account ? await ViewAsync(account) : null;

    /// <param name="request">The new account.</param>
    /// <param name="actorId">The administrator creating it, checked afresh; null for Shield itself.</param>
    public Task<Result<UserView>> CreateAsync(CreateUserRequest request, string? actorId) =>
        InTransactionAsync(actorId, null, ChangeActions.Created, passwordSet: true, async () => await CheckActorAsync(actorId) ?? await CreateCoreAsync(request));

    /// <param name="id">The account to change.</param>
    /// <param name="request">What to change.</param>
    /// <param name="actorId">The administrator making the change, checked afresh and never allowed to lock itself out; null for Shield itself.</param>
    public async Task<Result<UserView>> UpdateAsync(string id, UpdateUserRequest request, string? actorId)
    {
        var result = await InTransactionAsync(actorId, id, ChangeActions.Updated, passwordSet: !string.IsNullOrEmpty(request.Password),
            async () => await CheckActorAsync(actorId) ?? await UpdateCoreAsync(id, request, actorId));
        if (result.Value is not null)
        {
            changes.Raise(); // committed: what the account's old roles granted is checked again now
        }

        return result;
    }

    private static readonly string LockedByWrongPasswords =
        $"Your account is locked after {PasswordPolicy.MaxFailedSignIns} wrong passwords. Try again in {PasswordPolicy.LockoutDuration.TotalMinutes:0} minutes, or ask an administrator to unlock it.";

    /// <summary>
    /// A person changes their own password, giving the current one: recorded like an administrator's change, with the
    /// person as the actor. The new security stamp ends the account's other sign-ins.
    /// </summary>
    /// <exception cref="Auditing.AuditUnavailableException">The password was changed, but the trail cannot record it yet.</exception>
    public async Task<Result<UserView>> ChangeOwnPasswordAsync(string id, string currentPassword, string newPassword)
    {
        // The current password is checked as a sign-in checks it, outside the change's transaction so that a wrong
        // one counts: whoever holds a signed-in browser cannot guess it without limit, and the account locks as it would.
        if (await users.FindByIdAsync(id) is { Enabled: true } person)
        {
            if (await users.IsLockedOutAsync(person))
            {
                return Refusal.Forbidden(LockedByWrongPasswords);
            }

            if (!await users.CheckPasswordAsync(person, currentPassword))
            {
                await users.AccessFailedAsync(person);
                return await users.IsLockedOutAsync(person)
                    ? Refusal.Forbidden(LockedByWrongPasswords)
                    : Refusal.Invalid("current", "Incorrect password.");
            }
        }

        var result = await InTransactionAsync(id, id, ChangeActions.Updated, passwordSet: true, async () =>
        {
            if (await users.FindByIdAsync(id) is not { Enabled: true } account)
            {
                return Refusal.Forbidden("Your account no longer exists or was disabled. Sign in again.");
            }

            var changed = await users.ChangePasswordAsync(account, currentPassword, newPassword);
            if (changed.Succeeded && (await users.GetClaimsAsync(account)).Where(c => c.Type == PasswordPolicy.GeneratedClaim).ToList() is { Count: > 0 } generated)
            {
                changed = await users.RemoveClaimsAsync(account, generated);
            }

            return changed.Succeeded ? Result<UserView>.Ok(await ViewAsync(account)) : FromIdentity(changed);
        });
        if (result.Value is not null)
        {
            changes.Raise();
        }

        return result;
    }

    private async Task<Result<UserView>> CreateCoreAsync(CreateUserRequest request)
    {
        var roles = request.Roles ?? [];
        if (CheckRoles(roles) is { } roleError)
        {
            return roleError;
        }

        if (string.IsNullOrWhiteSpace(request.Email))
        {
            return Refusal.Invalid("email", "An email address is required.");
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            return Refusal.Invalid("password", "A password is required.");
        }

        var email = request.Email.Trim();
        if (await users.FindByEmailAsync(email) is not null)
        {
            return Refusal.Conflict($"An account for {email} already exists.");
        }

        var account = new ShieldUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            Enabled = request.Enabled ?? true,
            CreatedAtUtc = time.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(account, request.Password);
        if (!created.Succeeded)
        {
            return FromIdentity(created);
        }

        if (roles.Count > 0 && await users.AddToRolesAsync(account, roles.Distinct()) is { Succeeded: false } added)
        {
            return FromIdentity(added);
        }

        return Result<UserView>.Ok(await ViewAsync(account));
    }

    private async Task<Result<UserView>> UpdateCoreAsync(string id, UpdateUserRequest request, string? actorId)
    {
        if (await users.FindByIdAsync(id) is not { } account)
        {
            return Refusal.NotFound("There is no account with that id.");
        }

        if (request.Roles is { } roles && CheckRoles(roles) is { } roleError)
        {
            return roleError;
        }

        var currentRoles = await users.GetRolesAsync(account);
        var wasAdmin = account.Enabled && currentRoles.Contains(ShieldRoles.Admin);
        var staysAdmin = (request.Enabled ?? account.Enabled) && (request.Roles ?? [.. currentRoles]).Contains(ShieldRoles.Admin);
        if (wasAdmin && !staysAdmin)
        {
            if (account.Id == actorId)
            {
                return Refusal.Conflict(
                    "You cannot disable your own account or remove your own administrator role. Ask another administrator.");
            }

            if (await CountEnabledAdminsAsync() <= 1)
            {
                return Refusal.Conflict(
                    "This is the last enabled administrator. Make another account an administrator first.");
            }
        }

        if (!string.IsNullOrEmpty(request.Password) && await SetPasswordAsync(account, request.Password) is { } passwordError)
        {
            return passwordError;
        }

        if (request.Roles is { } wanted)
        {
            var remove = currentRoles.Except(wanted).ToList();
            var add = wanted.Except(currentRoles).Distinct().ToList();
            if (remove.Count > 0 && await users.RemoveFromRolesAsync(account, remove) is { Succeeded: false } removed)
            {
                return FromIdentity(removed);
            }

            if (add.Count > 0 && await users.AddToRolesAsync(account, add) is { Succeeded: false } added)
            {
                return FromIdentity(added);
            }
        }

        if (request.Enabled is { } enabled && enabled != account.Enabled)
        {
            account.Enabled = enabled;
            if (enabled)
            {
                // Re-enabling also lifts a lockout, so the person can sign in straight away.
                account.LockoutEnd = null;
                account.AccessFailedCount = 0;
            }
        }

        await users.UpdateSecurityStampAsync(account);
        return Result<UserView>.Ok(await ViewAsync(account));
    }

    // Serializable: two administrators demoting each other at once must not both pass the last-administrator check.
    // The change is recorded for the audit trail in the same transaction (never the password, only that it was set).
    private Task<Result<UserView>> InTransactionAsync(string? actorId, string? accountId, string action, bool passwordSet, Func<Task<Result<UserView>>> change) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable);
            var before = accountId is not null && await FindAsync(accountId) is { } existing ? Snapshot(existing, passwordSet: false) : null;
            var result = await change();
            if (result.Value is { } after)
            {
                db.GovernanceChanges.Add(GovernanceChange.By(await ActorAsync(actorId), time.GetUtcNow().UtcDateTime, "user", after.Email, action,
                    before, Snapshot(after, passwordSet)));
                await db.SaveChangesAsync();
                await transaction.CommitAsync();
            }

            return result;
        });

    private async Task<Actor> ActorAsync(string? actorId) =>
        actorId is not null && await users.FindByIdAsync(actorId) is { } actor
            ? new Actor(Actor.Person, actor.Id, actor.Email ?? actor.Id)
            : Actor.Shield("accounts");

    private static string Snapshot(UserView user, bool passwordSet) =>
        JsonSerializer.Serialize(new { email = user.Email, roles = user.Roles, enabled = user.Enabled, passwordSet });

    // A console page may outlive its author's role by up to a minute: check the administrator at the moment of change.
    private async Task<Result<UserView>?> CheckActorAsync(string? actorId)
    {
        if (actorId is null)
        {
            return null;
        }

        if (await users.FindByIdAsync(actorId) is { Enabled: true } actor && await users.IsInRoleAsync(actor, ShieldRoles.Admin))
        {
            return null;
        }

        return Refusal.Forbidden("Your account can no longer manage users: it was disabled or is no longer an administrator.");
    }

    private async Task<Refusal?> SetPasswordAsync(ShieldUser account, string password)
    {
        foreach (var validator in users.PasswordValidators)
        {
            if (await validator.ValidateAsync(users, account, password) is { Succeeded: false } invalid)
            {
                return FromIdentity(invalid).Refusal;
            }
        }

        if (await users.RemovePasswordAsync(account) is { Succeeded: false } removed)
        {
            return FromIdentity(removed).Refusal;
        }

        return await users.AddPasswordAsync(account, password) is { Succeeded: false } added ? FromIdentity(added).Refusal : null;
    }

    private async Task<int> CountEnabledAdminsAsync() =>
        (await users.GetUsersInRoleAsync(ShieldRoles.Admin)).Count(u => u.Enabled);

    private async Task<UserView> ViewAsync(ShieldUser account) => new(
        account.Id,
        account.Email ?? account.UserName ?? "",
        [.. (await users.GetRolesAsync(account)).Order(StringComparer.Ordinal)],
        account.Enabled,
        account.LockoutEnd is { } end && end > time.GetUtcNow(),
        account.CreatedAtUtc);

    private static Refusal? CheckRoles(IReadOnlyList<string> roles) =>
        roles.FirstOrDefault(r => !ShieldRoles.IsKnown(r)) is { } unknown
            ? Refusal.Invalid("roles", $"'{unknown}' is not a Shield role. Use {string.Join(", ", ShieldRoles.All)}.")
            : null;

    private static Result<UserView> FromIdentity(IdentityResult result)
    {
        var byField = result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email"
                : "account")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray());
        var kind = result.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName") ? RefusalKind.Conflict : RefusalKind.Invalid;
        return new Refusal(kind, string.Join(" ", result.Errors.Select(e => e.Description)), byField);
    }
}
