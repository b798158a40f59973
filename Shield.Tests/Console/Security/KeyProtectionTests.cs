using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Security;

public sealed class KeyProtectionTests
{
    [Fact]
    public async Task WithACertificate_KeysAreStoredEncrypted_AndSignInsSurviveARestart()
    {
        using var folder = new TempFolder();
        var pfx = Path.Combine(folder.Path, "keys.pfx");
        TestCertificate.WritePfx(pfx, "pfx-Passw0rd");

        var settings = new Dictionary<string, string?>
        {
            ["Shield:DataProtection:CertificatePath"] = pfx,
            ["Shield:DataProtection:CertificatePassword"] = "pfx-Passw0rd",
        };
        string token;
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings })
        {
            token = (await ConsoleSignIn.LoginAsync(first.CreateBrowserLikeClient(), ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword))
                .GetProperty("accessToken").GetString()!;
            await using var scope = first.Services.CreateAsyncScope();
            var keys = await scope.ServiceProvider.GetRequiredService<ShieldDbContext>().DataProtectionKeys.Select(k => k.Xml).ToListAsync(TestContext.Current.CancellationToken);

            var key = Assert.Single(keys);
            Assert.Contains("EncryptedXml", key, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
        }

        await using var second = new ShieldAppFactory { DataDirectory = folder.Path, Settings = settings };
        var client = second.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
    }
}
