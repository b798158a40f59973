using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Persistence;

namespace Shield.Tests.Infrastructure;

/// <summary>Reads an app's audit trail once everything handed to the writer so far is committed.</summary>
public static class Trail
{
    /// <summary>The records of the given event types, oldest first.</summary>
    public static async Task<List<AuditRecord>> RecordsAsync(this ShieldAppFactory app, params string[] eventTypes)
    {
        var cancel = TestContext.Current.CancellationToken;
        await app.Services.GetRequiredService<AuditWriter>().FlushAsync(cancel);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(cancel);
        return await db.AuditRecords.AsNoTracking().Where(r => eventTypes.Contains(r.EventType)).OrderBy(r => r.Sequence).ToListAsync(cancel);
    }
}
