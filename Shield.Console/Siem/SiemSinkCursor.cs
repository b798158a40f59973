using Microsoft.EntityFrameworkCore;
using Shield.Core.Persistence;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>
/// How far one sink has been sent the trail. Read from the database every round, moved on in memory as batches are
/// sent, and written at most once per <see cref="SaveInterval"/> and when the sink stops: each write is a commit that
/// takes the database's write lock between the audit writer's, so a sink that wakes ten times a second must not write
/// ten times. Delivery stays at least once: after a crash the sink resends from the last written position. A write
/// applies only over the value last read, so a cursor moved back meanwhile (an acknowledged cut tail) is never
/// overwritten with a position past records that were gone.
/// </summary>
internal sealed class SiemSinkCursor(string name, TimeProvider time)
{
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);

    private long? _stored; // the sequence the database held when last read or written; null: no row
    private long? _savedAt;
    private bool _unsaved;
    private bool _urgent;

    /// <summary>The last record sent, as far as this instance knows.</summary>
    public long Sequence { get; private set; }

    /// <summary>The last checkpoint sent.</summary>
    public long CheckpointId { get; private set; }

    /// <summary>Reads the stored position; what the result names makes what this connection sent no longer count.</summary>
    public async Task<SiemCursorRead> ReadAsync(ShieldDbContext db, long head, CancellationToken cancellationToken)
    {
        var row = await db.SiemCursors.AsNoTracking().SingleOrDefaultAsync(c => c.Name == name, cancellationToken);
        var movedBack = row is not null && _stored is { } stored && row.Sequence < stored;
        if (row is null)
        {
            (Sequence, CheckpointId, _unsaved, _urgent) = (0, 0, true, true);
        }
        else if (movedBack || !_unsaved)
        {
            (Sequence, CheckpointId, _unsaved) = (row.Sequence, row.CheckpointId, false);
        }
        else
        {
            (Sequence, CheckpointId) = (Math.Max(Sequence, row.Sequence), Math.Max(CheckpointId, row.CheckpointId));
        }

        _stored = row?.Sequence;
        if (Sequence > head)
        {
            // The trail ends before the cursor: acknowledged tampering cut its tail, and new records take those numbers.
            var cut = new SiemCursorRead(true, Sequence);
            (Sequence, _unsaved, _urgent) = (head, true, true);
            return cut;
        }

        return new SiemCursorRead(movedBack, null);
    }

    /// <summary>Records that everything through <paramref name="sequence"/> and checkpoint <paramref name="checkpointId"/> was sent.</summary>
    public void Advance(long sequence, long checkpointId)
    {
        if (sequence > Sequence || checkpointId > CheckpointId)
        {
            (Sequence, CheckpointId, _unsaved) = (Math.Max(Sequence, sequence), Math.Max(CheckpointId, checkpointId), true);
        }
    }

    /// <summary>Writes the position when it moved and a write is due (or <paramref name="now"/> is asked for).</summary>
    public async Task SaveAsync(ShieldDbContext db, bool now, CancellationToken cancellationToken)
    {
        if (!_unsaved || (!now && !_urgent && _savedAt is { } at && time.GetElapsedTime(at) < SaveInterval))
        {
            return;
        }

        var updatedAt = time.GetUtcNow().UtcDateTime;
        if (_stored is not { } stored)
        {
            db.SiemCursors.Add(new SiemCursor { Name = name, Sequence = Sequence, CheckpointId = CheckpointId, UpdatedAtUtc = updatedAt });
            await db.SaveChangesAsync(cancellationToken);
        }
        else if (await db.SiemCursors.Where(c => c.Name == name && c.Sequence == stored).ExecuteUpdateAsync(set => set
                     .SetProperty(c => c.Sequence, Sequence)
                     .SetProperty(c => c.CheckpointId, CheckpointId)
                     .SetProperty(c => c.UpdatedAtUtc, updatedAt), cancellationToken) == 0)
        {
            return; // moved meanwhile: the next read tells how
        }

        (_stored, _savedAt, _unsaved, _urgent) = (Sequence, time.GetTimestamp(), false, false);
    }

    /// <summary>Forgets what was not written, for an instance that no longer streams the sink.</summary>
    public void Forget() => (_stored, _unsaved, _urgent) = (null, false, false);

    public bool Unsaved => _unsaved;
}

/// <summary>What reading a sink's cursor found: whether it moved back, and from where when the trail was cut under it.</summary>
internal readonly record struct SiemCursorRead(bool MovedBack, long? CutFrom);
