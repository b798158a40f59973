using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Shield.Console.Cluster;
using Shield.Core.Governance;

namespace Shield.Console.Auditing;

/// <summary>
/// Holds every save that records a <see cref="GovernanceChange"/> until the audit writer has chained it, so no change
/// is acknowledged before it is in the audit trail. Inside an explicit transaction the wait happens at commit, when
/// the change becomes visible to the writer. If the trail cannot be written the save throws
/// <see cref="AuditUnavailableException"/>; the change itself is kept and chained as soon as the store recovers.
/// The transaction EF Core opens around a save of its own is committed before the save completes (and before the new
/// ids reach the entities): that commit is left to the end of the save. Once committed, the change is signalled to the
/// other instances of a cluster (<see cref="ClusterSignals"/>).
/// </summary>
internal sealed class GovernanceAuditInterceptor(IServiceProvider services) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, Unrecorded> _unrecorded = [];

    private AuditWriter Writer => services.GetRequiredService<AuditWriter>();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Collect(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        EndSave(eventData.Context);
        if (eventData.Context is { Database.CurrentTransaction: null } context)
        {
            await AwaitRecordedAsync(context, cancellationToken);
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        EndSave(eventData.Context);
        if (eventData.Context is { Database.CurrentTransaction: null } context)
        {
            AwaitRecordedAsync(context, CancellationToken.None).GetAwaiter().GetResult();
        }

        return result;
    }

    // A failed save inside a caller's transaction may be retried or rolled back: keep what it added until then.
    public override void SaveChangesFailed(DbContextErrorEventData eventData) => EndSave(eventData.Context, failed: true);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        EndSave(eventData.Context, failed: true);
        return Task.CompletedTask;
    }

    async Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        if (eventData.Context is { } context && !IsSaving(context))
        {
            await AwaitRecordedAsync(context, cancellationToken);
        }
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && !IsSaving(context))
        {
            AwaitRecordedAsync(context, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var unrecorded = _unrecorded.GetOrCreateValue(context);
        unrecorded.Saving = true;
        unrecorded.Changes.AddRange(context.ChangeTracker.Entries<GovernanceChange>().Where(e => e.State == EntityState.Added).Select(e => e.Entity));
    }

    private bool IsSaving(DbContext context) => _unrecorded.TryGetValue(context, out var unrecorded) && unrecorded.Saving;

    private void EndSave(DbContext? context, bool failed = false)
    {
        if (context is null || !_unrecorded.TryGetValue(context, out var unrecorded))
        {
            return;
        }

        unrecorded.Saving = false;
        if (failed && context.Database.CurrentTransaction is null)
        {
            _unrecorded.Remove(context);
        }
    }

    private async Task AwaitRecordedAsync(DbContext context, CancellationToken cancellationToken)
    {
        if (!_unrecorded.TryGetValue(context, out var unrecorded) || unrecorded.Changes.Count == 0)
        {
            return;
        }

        var last = unrecorded.Changes.Max(c => c.Id);
        _unrecorded.Remove(context);
        try
        {
            // The change is committed: waiting for its record must not be cut short by a caller who went away.
            await Writer.GovernanceRecordedAsync(last, CancellationToken.None);
        }
        finally
        {
            // Committed, recorded or not: the other instances of a cluster look now.
            services.GetRequiredService<ClusterSignals>().Publish(ClusterSignal.Governance);
        }
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
        {
            _unrecorded.Remove(context);
        }
    }

    private sealed class Unrecorded
    {
        public List<GovernanceChange> Changes { get; } = [];

        public bool Saving { get; set; }
    }
}
