using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// Shield's audit key: made on first use, stored encrypted with Data Protection, then kept in memory. Several
/// instances starting at once agree on one key: the first insert wins and the others read it.
/// </summary>
public sealed class AuditKeyring(IDbContextFactory<ShieldDbContext> contexts, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Shield.Auditing.Key.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    public async ValueTask<byte[]> GetAsync(CancellationToken cancellationToken = default)
    {
        if (_key is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _key ??= await LoadOrCreateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<byte[]> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.AuditKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == 1, cancellationToken) is { } stored)
        {
            return _protector.Unprotect(Convert.FromBase64String(stored.ProtectedKey));
        }

        var key = RandomNumberGenerator.GetBytes(32);
        db.AuditKeys.Add(new AuditKey { Id = 1, ProtectedKey = Convert.ToBase64String(_protector.Protect(key)), CreatedAtUtc = time.GetUtcNow().UtcDateTime });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return key;
        }
        catch (DbUpdateException)
        {
            // Another instance made the key first: use theirs.
            await using var again = await contexts.CreateDbContextAsync(cancellationToken);
            var theirs = await again.AuditKeys.AsNoTracking().SingleAsync(k => k.Id == 1, cancellationToken);
            return _protector.Unprotect(Convert.FromBase64String(theirs.ProtectedKey));
        }
    }
}
