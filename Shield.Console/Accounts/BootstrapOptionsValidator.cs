using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Shield.Console.Accounts;

internal sealed class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        List<string> errors = [];
        if (!MailAddress.TryCreate(options.AdminEmail, out _))
        {
            errors.Add($"{BootstrapOptions.SectionName}:AdminEmail '{options.AdminEmail}' is not an email address. " +
                $"Set it to the first administrator's email, or remove it to use {BootstrapOptions.DefaultAdminEmail}.");
        }

        if (!string.IsNullOrEmpty(options.AdminPassword) && PasswordPolicy.Problems(options.AdminPassword).ToList() is { Count: > 0 } problems)
        {
            errors.Add($"{BootstrapOptions.SectionName}:AdminPassword is too weak: {string.Join("; ", problems)}. " +
                "Choose a stronger password, or remove the setting to have one generated and written to the log.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
