using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shield.Core.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

/// <summary>
/// Sign-in, through the API and the console's form alike, does not tell whether an account exists, and a client that
/// keeps failing runs out of tries before the account it aims at would lock.
/// </summary>
public sealed class PasswordSignInTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly CountingHasher _hasher = new();
    private ShieldAppFactory _app = default!;

    public ValueTask InitializeAsync()
    {
        _app = new ShieldAppFactory { TestServices = s => s.AddScoped<IPasswordHasher<ShieldUser>>(p => _hasher.Over(p)) };
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task AnUnknownEmail_AWrongPassword_AndADisabledAccount_GetOneAnswer_AndEachRunsTheHasherOnce()
    {
        var wrong = await AccountAsync();
        var disabled = await AccountAsync();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ShieldUser>>();
            var account = (await users.FindByEmailAsync(disabled))!;
            account.Enabled = false;
            await users.UpdateAsync(account);
        }

        List<(HttpStatusCode, string?, string?)> answers = [];
        List<int> hashings = [];
        foreach (var (email, password, address) in new[]
        {
            (ShieldAppFactory.NewEmail("nobody"), ShieldAppFactory.Password, "10.0.0.1"),
            (wrong, "Wrong-Passw0rd!", "10.0.0.2"),
            (disabled, ShieldAppFactory.Password, "10.0.0.3"),
        })
        {
            var before = _hasher.Verifications;
            var response = await TestClientAddress.From(_app, address).PostAsJsonAsync("/api/auth/login", new { email, password }, _cancel);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(_cancel);
            answers.Add((response.StatusCode, problem.GetProperty("title").GetString(), problem.GetProperty("detail").GetString()));
            hashings.Add(_hasher.Verifications - before);
        }

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.Unauthorized, "Sign-in failed", "The email or password is wrong, or the account is disabled."), a));
        Assert.Equal([1, 1, 1], hashings);
    }

    [Fact]
    public async Task ALockedAccount_IsCalledLocked_OnlyToWhoeverGivesItsPassword()
    {
        var email = await AccountAsync();
        // Five failures lock the account; from two addresses, since one runs out of tries first.
        foreach (var address in new[] { "10.0.1.1", "10.0.1.1", "10.0.1.1", "10.0.1.2", "10.0.1.2" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(address, email, "Wrong-Passw0rd!")).StatusCode);
        }

        var before = _hasher.Verifications;
        var guess = await LoginAsync("10.0.1.3", email, "Wrong-Passw0rd!");
        var owner = await LoginAsync("10.0.1.3", email, ShieldAppFactory.Password);

        Assert.Equal(2, _hasher.Verifications - before);
        Assert.Equal("The email or password is wrong, or the account is disabled.", await DetailAsync(guess));
        Assert.Equal(HttpStatusCode.Unauthorized, owner.StatusCode);
        Assert.StartsWith("This account is locked after 5 failed sign-ins", await DetailAsync(owner), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatKeepsFailing_IsRefusedBeforeTheAccountLocks_WhileOthersSignIn()
    {
        var email = await AccountAsync();
        for (var attempt = 0; attempt < 4; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync("10.0.2.1", email, "Wrong-Passw0rd!")).StatusCode);
        }

        var before = _hasher.Verifications;
        var refused = await LoginAsync("10.0.2.1", email, ShieldAppFactory.Password);
        var form = await ConsoleSignIn.PostFormAsync(TestClientAddress.From(_app, "10.0.2.1"), email, ShieldAppFactory.Password);
        var neighbour = await LoginAsync("2001:db8:0:7::1", email, ShieldAppFactory.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.StartsWith("Too many failed sign-ins from your address", await DetailAsync(refused), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("Too many failed sign-ins from your address", await form.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
        Assert.Equal(1, _hasher.Verifications - before); // only the neighbour's password was checked
        Assert.Equal(HttpStatusCode.OK, neighbour.StatusCode); // four failures did not lock the account
    }

    [Fact]
    public async Task OnlyFailuresCount_ManySignInsFromOneAddressPass()
    {
        var email = await AccountAsync();

        for (var attempt = 0; attempt < 8; attempt++)
        {
            Assert.Equal(HttpStatusCode.OK, (await LoginAsync("10.0.3.1", email, ShieldAppFactory.Password)).StatusCode);
        }

        var signedIn = await ConsoleSignIn.PostFormAsync(TestClientAddress.From(_app, "10.0.3.1"), email, ShieldAppFactory.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Fact]
    public async Task TheSignInPage_GivesTheSameAnswerForAnUnknownEmail()
    {
        var before = _hasher.Verifications;

        var response = await ConsoleSignIn.PostFormAsync(TestClientAddress.From(_app, "10.0.4.1"), ShieldAppFactory.NewEmail("nobody"), ShieldAppFactory.Password);

        Assert.Equal(1, _hasher.Verifications - before);
        Assert.Contains("The email or password is wrong, or the account is disabled.", await response.Content.ReadAsStringAsync(_cancel), StringComparison.Ordinal);
    }

    [Fact]
    public void IPv6Clients_AreCountedByTheir64BitPrefix()
    {
        Assert.Equal("2001:db8:0:7::/64", Shield.Console.Accounts.SignInThrottle.ClientOf(IPAddress.Parse("2001:db8:0:7:a:b:c:d")));
        Assert.Equal("192.0.2.7", Shield.Console.Accounts.SignInThrottle.ClientOf(IPAddress.Parse("::ffff:192.0.2.7")));
    }

    private async Task<string> AccountAsync()
    {
        var email = ShieldAppFactory.NewEmail();
        await _app.CreateUserAsync(email, ShieldRoles.Auditor);
        return email;
    }

    private Task<HttpResponseMessage> LoginAsync(string address, string email, string password) =>
        TestClientAddress.From(_app, address).PostAsJsonAsync("/api/auth/login", new { email, password }, _cancel);

    private async Task<string?> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("detail").GetString();

    /// <summary>Shield's own hasher, counting how often a password is checked against a hash.</summary>
    private sealed class CountingHasher
    {
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public IPasswordHasher<ShieldUser> Over(IServiceProvider services) =>
            new Counting(this, new PasswordHasher<ShieldUser>(services.GetRequiredService<IOptions<PasswordHasherOptions>>()));

        private sealed class Counting(CountingHasher counter, PasswordHasher<ShieldUser> inner) : IPasswordHasher<ShieldUser>
        {
            public string HashPassword(ShieldUser user, string password) => inner.HashPassword(user, password);

            public PasswordVerificationResult VerifyHashedPassword(ShieldUser user, string hashedPassword, string providedPassword)
            {
                Interlocked.Increment(ref counter._verifications);
                return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
            }
        }
    }
}
