using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Shield.Console.Security;

/// <summary>
/// <c>Shield:DataProtection</c>: a certificate that encrypts the Data Protection keys stored in the database, so that
/// reading the database alone does not let anyone forge sign-ins or decrypt upstream secrets.
/// </summary>
public sealed class KeyProtectionOptions
{
    public const string SectionName = "Shield:DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with a private key; empty to store keys unencrypted (fine for evaluation only).</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    internal bool TryLoad(out X509Certificate2? certificate, out string? problem)
    {
        certificate = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            return false;
        }

        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, CertificatePassword);
            if (!certificate.HasPrivateKey)
            {
                problem = "it has no private key";
                certificate.Dispose();
                certificate = null;
            }
        }
        catch (Exception error) when (error is CryptographicException or IOException or UnauthorizedAccessException)
        {
            problem = error.Message;
        }

        return certificate is not null;
    }
}

internal sealed class KeyProtectionOptionsValidator : IValidateOptions<KeyProtectionOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyProtectionOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return ValidateOptionsResult.Success;
        }

        if (options.TryLoad(out var certificate, out var problem))
        {
            certificate!.Dispose();
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail($"{KeyProtectionOptions.SectionName}:CertificatePath '{options.CertificatePath}' cannot be used: {problem}. " +
            "Point it to a readable .pfx with a private key (and set CertificatePassword), or remove it.");
    }
}
