using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Shield.Core.Accounts;

namespace Shield.Console.Accounts;

/// <summary>What a sign-in came to: the account, or the sentence to show and, for a throttled client, when to retry.</summary>
public sealed record SignInAttempt(ShieldUser? User, string? Refusal, TimeSpan? RetryAfter = null);

/// <summary>
/// Checks an email and password for the console's sign-in page and <c>POST /api/auth/login</c> alike, without telling
/// whether the account exists: an unknown email, a wrong password and a disabled account get the same sentence, and
/// each runs the password hasher once (an unknown email against a hash of no account), so they take as long. A locked
/// account is named as locked only to someone who gave its password. Wrong passwords count towards the account's
/// lockout and towards the client's <see cref="SignInThrottle"/>; a throttled client is refused before any of it.
/// </summary>
internal sealed class PasswordSignIn(UserManager<ShieldUser> users, SignInThrottle throttle, UnknownAccountHash unknown)
{
    public const string WrongCredentials = "The email or password is wrong, or the account is disabled.";

    public static readonly string Locked =
        $"This account is locked after {PasswordPolicy.MaxFailedSignIns} failed sign-ins. Try again in {PasswordPolicy.LockoutDuration.TotalMinutes:0} minutes, or ask an administrator to unlock it.";

    public async Task<SignInAttempt> CheckAsync(HttpContext context, string email, string password)
    {
        using var turn = await throttle.BeginAsync(context);
        if (turn.RetryAfter is { } wait)
        {
            return new SignInAttempt(null, $"Too many failed sign-ins from your address. Try again in {Math.Max(1, Math.Ceiling(wait.TotalMinutes)):0} minutes.", wait);
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            unknown.Verify(users.PasswordHasher, password);
            turn.Failed();
            return new SignInAttempt(null, WrongCredentials);
        }

        var locked = await users.IsLockedOutAsync(user);
        if (!await users.CheckPasswordAsync(user, password))
        {
            turn.Failed();
            if (!locked)
            {
                await users.AccessFailedAsync(user);
            }

            return new SignInAttempt(null, WrongCredentials);
        }

        if (locked || !user.Enabled)
        {
            return new SignInAttempt(null, locked ? Locked : WrongCredentials);
        }

        await users.ResetAccessFailedCountAsync(user);
        return new SignInAttempt(user, null);
    }
}

/// <summary>A password hash of no account, made once with Shield's hasher settings, checked when an email is unknown.</summary>
internal sealed class UnknownAccountHash(IOptions<PasswordHasherOptions> options)
{
    private readonly Lazy<string> _hash = new(() => new PasswordHasher<ShieldUser>(options).HashPassword(new ShieldUser(), PasswordPolicy.Generate()));

    public void Verify(IPasswordHasher<ShieldUser> hasher, string password) => hasher.VerifyHashedPassword(new ShieldUser(), _hash.Value, password);
}
