using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Accounts;
using Shield.Core.Persistence;

namespace Shield.Console.Accounts;

/// <summary>
/// Makes the API's refresh tokens single use. Each sign-in through <c>POST /api/auth/login</c> starts a
/// <see cref="RefreshTokenFamily"/>; its tokens carry the family and their own id as claims (and so do the access
/// tokens issued with them). A refresh spends the token it is given and hands out the next. A spent token that comes
/// back means somebody holds a copy: the family ends, so its last refresh token and every access token issued from it
/// stop working at their next use. Expired families are deleted at each sign-in.
/// </summary>
internal sealed partial class RefreshTokens(
    IDbContextFactory<ShieldDbContext> contexts,
    IOptionsMonitor<BearerTokenOptions> bearer,
    TimeProvider time,
    ILogger<RefreshTokens> logger)
{
    public const string FamilyClaim = "shield:token-family";
    private const string TokenClaim = "shield:refresh-token";

    private TimeSpan Lifetime => bearer.Get(IdentityConstants.BearerScheme).RefreshTokenExpiration;

    /// <summary>Starts a family for a sign-in; returns the claims its first tokens carry.</summary>
    public async Task<Claim[]> StartAsync(string userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var family = new RefreshTokenFamily { UserId = userId, CurrentTokenId = Guid.NewGuid(), CreatedAtUtc = now, ExpiresAtUtc = now + Lifetime };
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.RefreshTokenFamilies.Where(f => f.ExpiresAtUtc <= now).ExecuteDeleteAsync(cancellationToken);
        db.RefreshTokenFamilies.Add(family);
        await db.SaveChangesAsync(cancellationToken);
        return Claims(family.Id, family.CurrentTokenId);
    }

    /// <summary>
    /// Spends the refresh token <paramref name="presented"/> stands for and returns the claims of the next one; null when
    /// it may not be used: unknown, expired, of an ended family, or spent already (which ends its family).
    /// </summary>
    public async Task<Claim[]?> RotateAsync(ClaimsPrincipal presented, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(presented.FindFirstValue(FamilyClaim), out var family) || !Guid.TryParse(presented.FindFirstValue(TokenClaim), out var token))
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var next = Guid.NewGuid();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        // One statement, so two refreshes racing with the same token cannot both win.
        var rotated = await db.RefreshTokenFamilies.Where(f => f.Id == family && f.CurrentTokenId == token && f.ExpiresAtUtc > now)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.CurrentTokenId, next).SetProperty(f => f.ExpiresAtUtc, now + Lifetime), cancellationToken);
        if (rotated == 1)
        {
            return Claims(family, next);
        }

        if (await db.RefreshTokenFamilies.Where(f => f.Id == family).ExecuteDeleteAsync(cancellationToken) > 0)
        {
            LogFamilyEnded(logger, presented.FindFirstValue(ClaimTypes.NameIdentifier), family);
        }

        return null;
    }

    /// <summary>Whether a token still belongs to a live family; tokens of no family (the console's cookie, Entra ID) do.</summary>
    public async Task<bool> IsLiveAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.FindFirstValue(FamilyClaim) is not { } claim)
        {
            return true;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return Guid.TryParse(claim, out var family) && await db.RefreshTokenFamilies.AnyAsync(f => f.Id == family && f.ExpiresAtUtc > now, cancellationToken);
    }

    private static Claim[] Claims(Guid family, Guid token) => [new(FamilyClaim, family.ToString()), new(TokenClaim, token.ToString())];

    [LoggerMessage(Level = LogLevel.Warning, Message = "A spent refresh token of {UserId} was presented again: its sign-in (token family {Family}) is ended, and its tokens stop working.")]
    private static partial void LogFamilyEnded(ILogger logger, string? userId, Guid family);
}
