using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Shield.Console.Accounts;

/// <summary>The password and lockout rules of local accounts, and a generator that satisfies them.</summary>
internal static class PasswordPolicy
{
    public const int MinimumLength = 12;

    /// <summary>
    /// Carried by an account whose password Shield generated and wrote to its log: its sign-in asks for a password of
    /// the person's own, and changing it removes the claim.
    /// </summary>
    public const string GeneratedClaim = "shield:password-generated";

    /// <summary>The page that asks for a new password, coming back to <paramref name="returnUrl"/> afterwards.</summary>
    public static string ChangePath(string returnUrl) => $"/account/password?returnUrl={Uri.EscapeDataString(returnUrl)}";
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);

    private const string Lower = "abcdefghijkmnopqrstuvwxyz";
    private const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Digits = "23456789";
    private const string Symbols = "!#%+-=?@_";

    public static void Apply(IdentityOptions options)
    {
        options.Password.RequiredLength = MinimumLength;
        options.Password.RequireDigit = true;
        options.Password.RequireLowercase = true;
        options.Password.RequireUppercase = true;
        options.Password.RequireNonAlphanumeric = true;
        options.Password.RequiredUniqueChars = 4;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = MaxFailedSignIns;
        options.Lockout.DefaultLockoutTimeSpan = LockoutDuration;
        options.User.RequireUniqueEmail = true;
    }

    /// <summary>What is wrong with <paramref name="password"/>, or nothing.</summary>
    public static IEnumerable<string> Problems(string password)
    {
        if (password.Length < MinimumLength)
        {
            yield return $"it must be at least {MinimumLength} characters long";
        }

        if (!password.Any(char.IsAsciiLetterLower) || !password.Any(char.IsAsciiLetterUpper) || !password.Any(char.IsAsciiDigit)
            || password.All(char.IsLetterOrDigit))
        {
            yield return "it must contain a lowercase letter, an uppercase letter, a digit and a symbol";
        }
    }

    /// <summary>A random 24-character password that meets the policy.</summary>
    public static string Generate()
    {
        const int length = 24;
        var all = Lower + Upper + Digits + Symbols;
        var chars = new char[length];
        chars[0] = Lower[RandomNumberGenerator.GetInt32(Lower.Length)];
        chars[1] = Upper[RandomNumberGenerator.GetInt32(Upper.Length)];
        chars[2] = Digits[RandomNumberGenerator.GetInt32(Digits.Length)];
        chars[3] = Symbols[RandomNumberGenerator.GetInt32(Symbols.Length)];
        for (var i = 4; i < length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}
