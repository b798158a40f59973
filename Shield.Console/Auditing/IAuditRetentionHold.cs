using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>
/// Something that still needs old records (a SIEM sink that has not sent them yet): retention removes nothing after the
/// record it names, and says why.
/// </summary>
public interface IAuditRetentionHold
{
    /// <summary>The last record that may be removed, when that is before <paramref name="through"/>, and why; otherwise null.</summary>
    Task<AuditRetentionLimit?> LimitAsync(ShieldDbContext db, long through, CancellationToken cancellationToken);
}

/// <summary>Retention stops at <paramref name="Through"/> because <paramref name="Why"/>.</summary>
public sealed record AuditRetentionLimit(long Through, string Why);
