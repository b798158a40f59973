using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Auditing;
using Shield.Core.Persistence;

namespace Shield.Console.Siem;

/// <summary>
/// Retention never removes a record a configured sink has not been sent: the copy in the SIEM is the point of it. A sink
/// that has sent nothing yet holds everything; one removed from the configuration holds nothing.
/// </summary>
internal sealed class SiemRetentionHold(IOptions<SiemOptions> options) : IAuditRetentionHold
{
    public async Task<AuditRetentionLimit?> LimitAsync(ShieldDbContext db, long through, CancellationToken cancellationToken)
    {
        var names = options.Value.Sinks.Select(s => s.Name).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var sent = await db.SiemCursors.AsNoTracking().Where(c => names.Contains(c.Name)).ToDictionaryAsync(c => c.Name, c => c.Sequence, cancellationToken);
        var (slowest, last) = names.Select(n => (Name: n, Sent: sent.GetValueOrDefault(n))).MinBy(s => s.Sent);
        return last < through ? new AuditRetentionLimit(last, $"the SIEM sink {slowest} has been sent only the records through {last}") : null;
    }
}
