using Microsoft.Extensions.Options;

namespace Shield.Console.Accounts;

/// <summary>
/// <c>Shield:SignIn</c>: how many wrong passwords one client address may send before it must wait. Kept below the
/// failures that lock an account, so that nobody can lock an account out at will from one address.
/// </summary>
public sealed class SignInOptions
{
    public const string SectionName = "Shield:SignIn";

    /// <summary>Failed sign-ins one client address may make within <see cref="FailureWindow"/>.</summary>
    public int FailuresPerClient { get; set; } = PasswordPolicy.MaxFailedSignIns - 1;

    /// <summary>The sliding window the failures of one client address are counted over.</summary>
    public TimeSpan FailureWindow { get; set; } = PasswordPolicy.LockoutDuration;
}

internal sealed class SignInOptionsValidator : IValidateOptions<SignInOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInOptions options)
    {
        List<string> errors = [];
        if (options.FailuresPerClient is < 1 or >= PasswordPolicy.MaxFailedSignIns)
        {
            errors.Add($"{SignInOptions.SectionName}:FailuresPerClient is {options.FailuresPerClient}; use 1 to {PasswordPolicy.MaxFailedSignIns - 1}: " +
                $"at {PasswordPolicy.MaxFailedSignIns} failures an account locks, and one client must not be able to lock accounts at will.");
        }

        if (options.FailureWindow < TimeSpan.FromMinutes(1) || options.FailureWindow > TimeSpan.FromDays(1))
        {
            errors.Add($"{SignInOptions.SectionName}:FailureWindow is {options.FailureWindow}; use 00:01:00 to 1.00:00:00.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
