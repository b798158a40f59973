using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// Shield's audit keys. The database key (256 random bits, made on first use, stored encrypted with Data Protection)
/// keys argument fingerprints, so equal arguments match across the trail's whole life. The chain key seals records and
/// signs checkpoints, anchors and manifests: it comes from <c>Shield:Audit:KeyFile</c>, outside the database, and only
/// when none is configured is the database key used for that too. Several instances starting at once agree on one
/// database key: the first insert wins and the others read it.
/// </summary>
public sealed class AuditKeyring(
    IDbContextFactory<ShieldDbContext> contexts,
    IDataProtectionProvider protection,
    IOptions<AuditOptions> options,
    IHostEnvironment environment,
    TimeProvider time)
{
    private readonly IDataProtector _protector = protection.CreateProtector("Shield.Auditing.Key.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly AuditChainKey? _fileKey = options.Value.KeyPath(environment.ContentRootPath) is { } path
        ? AuditChainKey.Of(AuditKeyFile.Read(path), AuditKeySource.File)
        : null;

    // Keys the trail was sealed with before, kept to check what they sealed and to hand the chain over from.
    private readonly AuditChainKey[] _previousKeys = [.. options.Value.PreviousKeyPaths(environment.ContentRootPath)
        .Select(p => AuditChainKey.Of(AuditKeyFile.Read(p), AuditKeySource.File))];

    private byte[]? _key;

    /// <summary>Whether the chain key lives outside the database, as production needs.</summary>
    public bool ChainKeyOutsideDatabase => _fileKey is not null;

    /// <summary>The database key, which keys argument fingerprints.</summary>
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

    /// <summary>The key that seals records and signs checkpoints, anchors and manifests now.</summary>
    public async ValueTask<AuditChainKey> ChainKeyAsync(CancellationToken cancellationToken = default) =>
        _fileKey ?? AuditChainKey.Of(await GetAsync(cancellationToken), AuditKeySource.Database);

    /// <summary>
    /// Every chain key this Shield holds, to check what earlier keys sealed and signed. Verification accepts a key only
    /// where the trail says it was in force, so holding the database key does not let it vouch for records a key file sealed.
    /// </summary>
    public async ValueTask<IReadOnlyList<AuditChainKey>> KnownKeysAsync(CancellationToken cancellationToken = default)
    {
        var database = AuditChainKey.Of(await GetAsync(cancellationToken), AuditKeySource.Database);
        return [.. _fileKey is null ? [] : new[] { _fileKey }, .. _previousKeys, database];
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
