using Microsoft.EntityFrameworkCore;
using Shield.Core.Persistence;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>
/// How far one sink has been sent the trail. Read from the database every round, moved on in memory as batches are
/// sent, and written at most once per <see cref="SaveInterval"/> and when the sink stops: each write is a commit that
/// takes the database's write lock between the audit writer's, so a sink that wakes ten times a second must not write
/// ten times. Delivery stays at least once: after a crash the sink resends from the last written position. Whoever else
/// writes a cursor (an acknowledged cut tail, <see cref="MoveBackAsync"/>; another instance) stamps it with a time of
/// its own: the sink then drops what it had not written and goes on from the stored position, and its own write, which
/// applies only over the stamp it last saw, never overwrites theirs. So a cut that lands while the stored position
/// lags what was sent still sends the acknowledgement and the records that take the cut numbers.
/// </summary>
internal sealed class SiemSinkCursor(string name, TimeProvider time)
{
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(1);

    private DateTime? _stamp; // the row's UpdatedAtUtc when last read or written here; null: no row
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
        var moved = row is not null && _stamp is { } stamp && row.UpdatedAtUtc != stamp;
        if (row is null)
        {
            (Sequence, CheckpointId, _unsaved, _urgent) = (0, 0, true, true);
        }
        else if (moved || !_unsaved)
        {
            (Sequence, CheckpointId, _unsaved) = (row.Sequence, row.CheckpointId, false);
        }

        _stamp = row?.UpdatedAtUtc;
        if (Sequence > head)
        {
            // The trail ends before the cursor: tampering cut its tail, and new records take those numbers.
            var cut = new SiemCursorRead(true, Sequence);
            (Sequence, _unsaved, _urgent) = (head, true, true);
            return cut;
        }

        return new SiemCursorRead(moved, null);
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

        // Whole milliseconds, which every provider stores exactly, so the stamp read back equals the one written.
        var stamp = Stamp(time.GetUtcNow().UtcDateTime);
        if (_stamp is not { } seen)
        {
            db.SiemCursors.Add(new SiemCursor { Name = name, Sequence = Sequence, CheckpointId = CheckpointId, UpdatedAtUtc = stamp });
            await db.SaveChangesAsync(cancellationToken);
        }
        else if (await db.SiemCursors.Where(c => c.Name == name && c.UpdatedAtUtc == seen).ExecuteUpdateAsync(set => set
                     .SetProperty(c => c.Sequence, Sequence)
                     .SetProperty(c => c.CheckpointId, CheckpointId)
                     .SetProperty(c => c.UpdatedAtUtc, stamp), cancellationToken) == 0)
        {
            return; // written by someone else meanwhile: the next read goes on from what they wrote
        }

        (_stamp, _savedAt, _unsaved, _urgent) = (stamp, time.GetTimestamp(), false, false);
    }

    /// <summary>
    /// Moves every sink back to <paramref name="tail"/> that was past it, and stamps every cursor, so that a sink that
    /// had sent more than its stored position says also goes on from the stored one (an acknowledged cut tail).
    /// </summary>
    public static Task MoveBackAsync(ShieldDbContext db, long tail, DateTime now)
    {
        var stamp = Stamp(now).AddTicks(TimeSpan.TicksPerMicrosecond); // never a stamp a sink writes (whole milliseconds)
        return db.SiemCursors.ExecuteUpdateAsync(set => set
            .SetProperty(c => c.Sequence, c => c.Sequence > tail ? tail : c.Sequence)
            .SetProperty(c => c.UpdatedAtUtc, stamp));
    }

    private static DateTime Stamp(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>Forgets what was not written, for an instance that no longer streams the sink.</summary>
    public void Forget() => (_stamp, _unsaved, _urgent) = (null, false, false);

    public bool Unsaved => _unsaved;
}

/// <summary>
/// What reading a sink's cursor found: whether someone else wrote it (or the trail was cut under it), so that what this
/// connection sent no longer counts; and from where, when the trail was cut.
/// </summary>
internal readonly record struct SiemCursorRead(bool Moved, long? CutFrom);
