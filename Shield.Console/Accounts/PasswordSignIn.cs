using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Shield.Console.Auditing;
using Shield.Core.Accounts;
using Shield.Core.Auditing;

namespace Shield.Console.Accounts;

/// <summary>What a sign-in came to: the account, or the sentence to show and, for a throttled client, when to retry.</summary>
public sealed record SignInAttempt(ShieldUser? User, string? Refusal, TimeSpan? RetryAfter = null);

/// <summary>
/// Checks an email and password for the console's sign-in page and <c>POST /api/auth/login</c> alike, without telling
/// whether the account exists: an unknown email, a wrong password and a disabled account get the same sentence, and
/// each runs the password hasher once (an unknown email against a hash of no account), so they take as long. A locked
/// account is named as locked only to someone who gave its password. Wrong passwords count towards the account's
/// lockout and towards the client's <see cref="SignInThrottle"/>; a throttled client is refused before any of it.
/// Each refusal that checked a password is recorded in the audit trail, as are an account locking and a client using
/// up its tries (<see cref="SignInRecords"/>); the answer never waits for those records.
/// </summary>
internal sealed class PasswordSignIn(UserManager<ShieldUser> users, SignInThrottle throttle, UnknownAccountHash unknown, SecurityEvents events)
{
    public const string WrongCredentials = "The email or password is wrong, or the account is disabled.";

    public static readonly string Locked =
        $"This account is locked after {PasswordPolicy.MaxFailedSignIns} failed sign-ins. Try again in {PasswordPolicy.LockoutDuration.TotalMinutes:0} minutes, or ask an administrator to unlock it.";

    public async Task<SignInAttempt> CheckAsync(HttpContext context, string email, string password)
    {
        using var turn = await throttle.BeginAsync(context);
        if (turn.RetryAfter is { } wait)
        {
            // Not recorded one by one: anyone could fill the trail so. The try that used up the client's count was.
            return new SignInAttempt(null, $"Too many failed sign-ins from your address. Try again in {Math.Max(1, Math.Ceiling(wait.TotalMinutes)):0} minutes.", wait);
        }

        var user = await users.FindByEmailAsync(email);
        var records = new SignInRecords(context, email, user);
        if (user is null)
        {
            unknown.Verify(users.PasswordHasher, password);
            await FailedAsync(turn, records, records.Failed("No account has this email address.", "unknown"));
            return new SignInAttempt(null, WrongCredentials);
        }

        var locked = await users.IsLockedOutAsync(user);
        if (!await users.CheckPasswordAsync(user, password))
        {
            var state = locked ? "locked" : user.Enabled ? "enabled" : "disabled";
            if (locked)
            {
                await FailedAsync(turn, records, records.Failed("Wrong password, for an account that is locked.", state));
                return new SignInAttempt(null, WrongCredentials);
            }

            await users.AccessFailedAsync(user);
            var nowLocked = await users.IsLockedOutAsync(user);
            await FailedAsync(turn, records, records.Failed(nowLocked
                ? "Wrong password; the account is now locked."
                : $"Wrong password: failure {user.AccessFailedCount} of {PasswordPolicy.MaxFailedSignIns} before the account locks.", state),
                nowLocked ? records.LockedOut(user.LockoutEnd) : null);
            return new SignInAttempt(null, WrongCredentials);
        }

        if (locked || !user.Enabled)
        {
            await events.RecordAsync(locked
                ? records.Failed("The password was right, but the account is locked.", "locked")
                : records.Failed("The password was right, but the account is disabled.", "disabled"));
            return new SignInAttempt(null, locked ? Locked : WrongCredentials);
        }

        await users.ResetAccessFailedCountAsync(user);
        return new SignInAttempt(user, null);
    }

    // A wrong password: counted against the client, and recorded with what it led to.
    private async Task FailedAsync(SignInTurn turn, SignInRecords records, AuditRecord failed, AuditRecord? lockedOut = null)
    {
        var throttled = turn.Failed();
        await events.RecordAsync(failed);
        if (lockedOut is not null)
        {
            await events.RecordAsync(lockedOut);
        }

        if (throttled)
        {
            await events.RecordAsync(records.Throttled(turn.Client, throttle.FailuresPerClient, throttle.Window));
        }
    }
}

/// <summary>A password hash of no account, made once with Shield's hasher settings, checked when an email is unknown.</summary>
internal sealed class UnknownAccountHash(IOptions<PasswordHasherOptions> options)
{
    private readonly Lazy<string> _hash = new(() => new PasswordHasher<ShieldUser>(options).HashPassword(new ShieldUser(), PasswordPolicy.Generate()));

    public void Verify(IPasswordHasher<ShieldUser> hasher, string password) => hasher.VerifyHashedPassword(new ShieldUser(), _hash.Value, password);
}
