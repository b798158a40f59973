using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Shield.Console.Components.Layout;

namespace Shield.Tests.Console.Components.Layout;

public sealed class GeneratedPasswordBannerTests : ComponentTestContext
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OnlyAnAccountStillOnItsGeneratedPassword_IsAskedOnEveryPageForANewOne(bool generated)
    {
        Claim[] claims = generated ? [new("shield:password-generated", "true")] : [];
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin@shield.local"), .. claims], "test"));

        var banner = Render<GeneratedPasswordBanner>(p => p.AddCascadingValue(Task.FromResult(new AuthenticationState(user))));

        Assert.Equal(generated ? 1 : 0, banner.FindAll("#generated-password-banner").Count);
        if (generated)
        {
            Assert.Equal("/account/password?returnUrl=%2F", banner.Find("#generated-password-banner a").GetAttribute("href"));
        }
    }
}
