using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Accounts;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

/// <summary>How long a console sign-in outlives a change to its account, and what a forged sign-out does.</summary>
public sealed class SignInLifetimeTests
{
    [Fact]
    public async Task ADisabledAccount_LosesItsConsoleSignIn_WithinAMinute()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new ShieldAppFactory { TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)) };
        var email = ShieldAppFactory.NewEmail("admin");
        var user = await app.CreateUserAsync(email, ShieldRoles.Admin);
        var client = await ConsoleSignIn.SignedInClientAsync(app, email, ShieldAppFactory.Password);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<UserDirectory>().UpdateAsync(user.Id, new UpdateUserRequest(null, false, null), actorId: null);
        }

        var withinTheMinute = await client.GetAsync("/settings", TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(61));
        var afterIt = await client.GetAsync("/settings", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, withinTheMinute.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, afterIt.StatusCode);
        Assert.StartsWith("https://localhost/account/login", afterIt.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASignOutWithoutAValidAntiforgeryToken_IsIgnored()
    {
        await using var app = new ShieldAppFactory();
        var client = await ConsoleSignIn.SignedInClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);

        var forged = await client.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = "forged" }), TestContext.Current.CancellationToken);
        var stillSignedIn = await client.GetAsync("/settings", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
        Assert.Equal("/", forged.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }
}
