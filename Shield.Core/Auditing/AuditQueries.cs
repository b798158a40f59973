using Microsoft.EntityFrameworkCore;

namespace Shield.Core.Auditing;

/// <summary>
/// Queries on the trail that must reach a partial index. SQLite uses a partial index only when the query states the
/// index's own condition: <c>MAX(GovernanceChangeId)</c> alone, or <c>EventType = 'audit.pruned'</c> alone, read every
/// record (a quarter of a second at 300,000 records, inside the writer's transaction when it looks for governance
/// changes). These state it, as constants.
/// </summary>
public static class AuditQueries
{
    /// <summary>The trail's own events of the given types (<see cref="AuditEventTypes.Trail"/>), through the index that holds only them.</summary>
    /// <exception cref="ArgumentException">A type is not one of the trail's own: the index does not hold it.</exception>
    public static IQueryable<AuditRecord> TrailEvents(this IQueryable<AuditRecord> records, params string[] types)
    {
        if (types.FirstOrDefault(t => !AuditEventTypes.Trail.Contains(t)) is { } other)
        {
            throw new ArgumentException($"'{other}' is not one of the trail's own event types.", nameof(types));
        }

        return records.Where(r => EF.Constant(AuditEventTypes.Trail).Contains(r.EventType) && types.Contains(r.EventType));
    }

    /// <summary>The newest governance change the trail holds a record of; null when none.</summary>
    public static Task<long?> LastGovernanceChangeAsync(this IQueryable<AuditRecord> records, CancellationToken cancellationToken) =>
        records.Where(r => r.GovernanceChangeId != null).MaxAsync(r => r.GovernanceChangeId, cancellationToken);
}
