using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Persistence;

namespace Shield.Console.Security;

internal static class KeyProtectionExtensions
{
    /// <summary>
    /// Data Protection with its keys in Shield's database (shared by instances, kept across restarts), encrypted with
    /// the configured certificate when there is one.
    /// </summary>
    public static void AddKeyProtection(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(KeyProtectionOptions.SectionName);
        builder.Services.AddOptions<KeyProtectionOptions>().Bind(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KeyProtectionOptions>, KeyProtectionOptionsValidator>();

        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("Shield");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IDbContextFactory<ShieldDbContext>>((options, contexts) => options.XmlRepository = new DatabaseXmlRepository(contexts));
        if ((section.Get<KeyProtectionOptions>() ?? new()).TryLoad(out var certificate, out _))
        {
            dataProtection.ProtectKeysWithCertificate(certificate!).UnprotectKeysWithAnyCertificate(certificate!);
        }
    }
}
