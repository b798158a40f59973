using Microsoft.AspNetCore.DataProtection;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>Upstream secrets encrypted with ASP.NET Core Data Protection, whose keys live in Shield's database.</summary>
internal sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Shield.Registry.UpstreamSecrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
