using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Shield.Console.Siem;

/// <summary>The certificate authorities a sink's receiver must be certified by (<see cref="SiemSinkOptions.CaFile"/>).</summary>
internal static class SiemCertificates
{
    public static string? Path(SiemSinkOptions sink, string contentRoot) =>
        string.IsNullOrWhiteSpace(sink.CaFile) ? null : System.IO.Path.GetFullPath(System.IO.Path.Combine(contentRoot, sink.CaFile));

    /// <summary>Why the file cannot serve as the sink's authorities; null when it can.</summary>
    public static string? Problem(string path)
    {
        try
        {
            return Load(path).Count == 0 ? "it holds no PEM certificate" : null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return $"it cannot be read ({error.Message})";
        }
    }

    public static X509Certificate2Collection Load(string path)
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPemFile(path);
        return certificates;
    }

    /// <summary>
    /// Whether the receiver's certificate names the host and chains to one of <paramref name="authorities"/> (or, with
    /// none, to the system's roots). Revocation is not checked against a private authority, which rarely publishes it.
    /// </summary>
    public static bool Accept(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection? authorities)
    {
        if (authorities is null || certificate is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false; // the name does not match, or no certificate
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var presented = new X509Certificate2(certificate);
        return chain.Build(presented);
    }
}
