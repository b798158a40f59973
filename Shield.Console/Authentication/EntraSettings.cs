using Microsoft.Extensions.Options;

namespace Shield.Console.Authentication;

/// <summary>
/// The parts of the <c>AzureAd</c> section Shield relies on. A section with a tenant or client id switches sign-in to
/// Entra ID; then all three must be valid, so a half-configured section stops the start instead of silently falling
/// back to local accounts.
/// </summary>
public sealed class EntraSettings
{
    public string? Instance { get; set; }

    public string? TenantId { get; set; }

    public string? ClientId { get; set; }

    public static bool IsRequested(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{EntraSignIn.SectionName}:ClientId"])
        || !string.IsNullOrWhiteSpace(configuration[$"{EntraSignIn.SectionName}:TenantId"]);
}

internal sealed class EntraSettingsValidator : IValidateOptions<EntraSettings>
{
    public ValidateOptionsResult Validate(string? name, EntraSettings settings)
    {
        List<string> errors = [];
        if (!Uri.TryCreate(settings.Instance, UriKind.Absolute, out var instance) || instance.Scheme != Uri.UriSchemeHttps)
        {
            errors.Add($"{EntraSignIn.SectionName}:Instance is '{settings.Instance}'. Set it to your cloud's sign-in address, " +
                "e.g. https://login.microsoftonline.com/.");
        }

        if (string.IsNullOrWhiteSpace(settings.TenantId))
        {
            errors.Add($"{EntraSignIn.SectionName}:TenantId is empty. Set it to your directory (tenant) id, or remove the " +
                $"{EntraSignIn.SectionName} section to use local accounts.");
        }

        if (!Guid.TryParse(settings.ClientId, out _))
        {
            errors.Add($"{EntraSignIn.SectionName}:ClientId is '{settings.ClientId}'. Set it to the application (client) id " +
                $"of Shield's app registration, or remove the {EntraSignIn.SectionName} section to use local accounts.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
