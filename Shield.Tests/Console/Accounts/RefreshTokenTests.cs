using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Core.Accounts;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Accounts;

/// <summary>Refresh tokens are single use; a spent one that comes back ends its whole sign-in.</summary>
public sealed class RefreshTokenTests : IAsyncLifetime
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ShieldAppFactory _app = default!;
    private string _email = "";

    public async ValueTask InitializeAsync()
    {
        _app = new ShieldAppFactory { TestServices = s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(_time)) };
        _email = ShieldAppFactory.NewEmail();
        await _app.CreateUserAsync(_email, ShieldRoles.Auditor);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task ARefreshToken_WorksOnce_AndItsSuccessorWorks()
    {
        var first = await LoginAsync();

        var second = await RefreshAsync(first);
        var third = await RefreshAsync(second);
        var again = await _app.CreateBrowserLikeClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = first.Refresh }, _cancel);

        Assert.NotEqual(first.Refresh, second.Refresh);
        Assert.NotEqual(second.Refresh, third.Refresh);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains("already used", (await again.Content.ReadFromJsonAsync<JsonElement>(_cancel)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASpentTokenComingBack_EndsTheWholeSignIn_AndNoOtherOne()
    {
        var stolen = await LoginAsync();
        var other = await LoginAsync();
        var thief = await RefreshAsync(stolen);

        var replay = await _app.CreateBrowserLikeClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = stolen.Refresh }, _cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.CreateBrowserLikeClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = thief.Refresh }, _cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(thief.Access));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeAsync(stolen.Access));
        Assert.Equal(HttpStatusCode.OK, await MeAsync(other.Access));
        Assert.Contains(_app.Logs.Messages("RefreshTokens"), m => m.Contains("was presented again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoRefreshesWithOneToken_AtOnce_OnlyOneWins()
    {
        var pair = await LoginAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            _app.CreateBrowserLikeClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = pair.Refresh }, _cancel)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task ExpiredFamilies_AreDeletedAtTheNextSignIn()
    {
        var old = await LoginAsync();
        _time.Advance(TimeSpan.FromDays(15)); // past the refresh token's 14 days

        var expired = await _app.CreateBrowserLikeClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = old.Refresh }, _cancel);
        await LoginAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        await using var db = await _app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(_cancel);
        Assert.Equal(1, await db.RefreshTokenFamilies.CountAsync(_cancel));
    }

    private async Task<(string Access, string Refresh)> LoginAsync() =>
        Pair(await ConsoleSignIn.LoginAsync(_app.CreateBrowserLikeClient(), _email, ShieldAppFactory.Password));

    private async Task<(string Access, string Refresh)> RefreshAsync((string Access, string Refresh) pair)
    {
        var response = await _app.CreateBrowserLikeClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = pair.Refresh }, _cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Pair(await response.Content.ReadFromJsonAsync<JsonElement>(_cancel));
    }

    private async Task<HttpStatusCode> MeAsync(string access)
    {
        var client = _app.CreateBrowserLikeClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return (await client.GetAsync("/api/me", _cancel)).StatusCode;
    }

    private static (string Access, string Refresh) Pair(JsonElement tokens) =>
        (tokens.GetProperty("accessToken").GetString()!, tokens.GetProperty("refreshToken").GetString()!);
}
