using System.Text.RegularExpressions;

namespace Shield.Core.Registry;

/// <summary>
/// A header or environment variable handed to an upstream server. Its value is either a reference such as
/// <c>${env:CRM_TOKEN}</c>, kept as written (and exported), or a secret entered by an administrator, kept only
/// encrypted and never shown or exported again.
/// </summary>
public sealed partial class SecretSetting
{
    public string Name { get; set; } = "";

    /// <summary>An <c>${env:NAME}</c> reference, resolved from Shield's environment when connecting.</summary>
    public string? Reference { get; set; }

    /// <summary>The encrypted literal value.</summary>
    public string? ProtectedValue { get; set; }

    /// <summary>
    /// Environment variables that hold Shield's own configuration and secrets (its database, sign-in, keys): a reference
    /// to one is refused, so that no upstream can be sent them.
    /// </summary>
    public static IReadOnlyList<string> ReservedPrefixes { get; } = ["Shield__", "SHIELD__", "ConnectionStrings__", "AzureAd__", "ASPNETCORE_", "DOTNET_", "OTEL_"];

    public static bool IsReference(string value) => EnvironmentReference().IsMatch(value);

    /// <summary>The variable a reference names, if it is one of Shield's own.</summary>
    public static string? ReservedVariable(string value) =>
        EnvironmentReference().Match(value) is { Success: true } match
        && ReservedPrefixes.Any(p => match.Groups["name"].Value.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            ? match.Groups["name"].Value
            : null;

    /// <summary>A setting from what an administrator or a governance document gave: a reference, or a secret to encrypt.</summary>
    public static SecretSetting From(string name, string value, ISecretProtector protector) => IsReference(value)
        ? new SecretSetting { Name = name, Reference = value }
        : new SecretSetting { Name = name, ProtectedValue = protector.Protect(value) };

    /// <summary>The value to send upstream, or why there is none.</summary>
    public SecretValue Resolve(ISecretProtector protector, Func<string, string?> environment)
    {
        if (Reference is { } reference)
        {
            if (ReservedVariable(reference) is { } reserved)
            {
                return new SecretValue(null, $"{Name} refers to {reserved}, one of Shield's own settings, which is never sent upstream.");
            }

            var variable = EnvironmentReference().Match(reference).Groups["name"].Value;
            return environment(variable) is { } value
                ? new SecretValue(value, null)
                : new SecretValue(null, $"{Name} refers to the environment variable {variable}, which is not set for Shield.");
        }

        return ProtectedValue is { } secret
            ? new SecretValue(protector.Unprotect(secret), null)
            : new SecretValue(null, $"{Name} has no value.");
    }

    [GeneratedRegex(@"^\$\{env:(?<name>[A-Za-z_][A-Za-z0-9_]*)\}$")]
    private static partial Regex EnvironmentReference();
}

/// <summary>A resolved secret, or the reason it could not be resolved.</summary>
public readonly record struct SecretValue(string? Value, string? Problem);
