using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Persistence;

namespace Shield.Core.Cluster;

/// <summary>
/// Leases in the database, so that a job runs on one instance of the cluster at a time. Taking or renewing one is a
/// single conditional update (held by this instance, or lapsed), so two instances can never both hold it; a holder
/// that dies simply stops renewing, and its lease passes on once it lapses. Times come from <see cref="TimeProvider"/>:
/// the instances' clocks must agree to well within a lease's length (NTP does).
/// </summary>
public sealed class ClusterLeases(IDbContextFactory<ShieldDbContext> contexts, IOptions<ClusterOptions> options, TimeProvider time)
{
    /// <summary>This instance, as it appears in the leases it holds.</summary>
    public string Holder { get; } = options.Value.InstanceName;

    /// <summary>
    /// Takes the lease, or renews it when this instance holds it already, for <paramref name="length"/> from now;
    /// false while another instance holds it.
    /// </summary>
    public async Task<bool> TryHoldAsync(string name, TimeSpan length, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = now + length;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var renewed = await db.Leases.Where(l => l.Name == name && (l.Holder == Holder || l.ExpiresAtUtc <= now))
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.Holder, Holder).SetProperty(x => x.ExpiresAtUtc, until), cancellationToken);
        if (renewed == 1)
        {
            return true;
        }

        if (await db.Leases.AnyAsync(l => l.Name == name, cancellationToken))
        {
            return false;
        }

        try
        {
            db.Leases.Add(new Lease { Name = name, Holder = Holder, ExpiresAtUtc = until });
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException error) when (DatabaseErrors.IsUniqueViolation(error))
        {
            return false; // another instance took it first
        }
    }

    /// <summary>Gives the lease up, when this instance holds it, so that another instance may take it at once.</summary>
    public async Task ReleaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Leases.Where(l => l.Name == name && l.Holder == Holder)
            .ExecuteUpdateAsync(l => l.SetProperty(x => x.ExpiresAtUtc, now), cancellationToken);
    }

    /// <summary>Who holds the lease now; null when nobody does.</summary>
    public async Task<string?> HolderOfAsync(string name, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Leases.Where(l => l.Name == name && l.ExpiresAtUtc > now).Select(l => l.Holder).FirstOrDefaultAsync(cancellationToken);
    }
}
