using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>A committed record as a sink sends it: the record and its message body in the sink's format.</summary>
internal readonly record struct FedRecord(AuditRecord Record, byte[] Body);

/// <summary>
/// What the sinks of one instance read, shared: the records of the latest read, in chain order, each written in a
/// format at most once. Sinks that keep up with the trail ask for the same records within moments of each other; the
/// first reads them from the database and writes them, the others take them from here. A sink further behind reads
/// on its own and changes nothing here. Nothing is taken on trust: records read to extend the window must link to its
/// last one by hash, and a sink served from the window alone is served only while the database still holds its last
/// record with the same hash (a trail cut after acknowledged tampering gives those numbers to new records).
/// </summary>
internal sealed class SiemFeed(string productVersion)
{
    /// <summary>At most this many records are kept: one batch of the sink that reads ahead.</summary>
    public const int Capacity = SiemSink.BatchSize;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Entry> _window = new(Capacity);
    private readonly SiemFormat[] _formats = [.. Enum.GetValues<SiemFormatKind>().Select(kind => SiemFormat.Create(kind, productVersion))];

    /// <summary>
    /// The committed records after <paramref name="after"/>, at most <paramref name="count"/> (and at most
    /// <see cref="Capacity"/>), in chain order, with their bodies in <paramref name="kind"/>.
    /// </summary>
    public async Task<List<FedRecord>> ReadAsync(ShieldDbContext db, long after, int count, SiemFormatKind kind, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ReadHeldAsync(db, after, Math.Min(count, Capacity), kind, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<List<FedRecord>> ReadHeldAsync(ShieldDbContext db, long after, int count, SiemFormatKind kind, CancellationToken cancellationToken)
    {
        var start = Start(after);
        if (start < 0)
        {
            var records = await ReadAsync(db, after, count, cancellationToken);
            if (_window.Count > 0 && (records.Count == 0 || records[0].Sequence <= _window[^1].Record.Sequence))
            {
                return [.. records.Select(r => new FedRecord(r, _formats[(int)kind].Record(r)))]; // behind the window: read alone
            }

            _window.Clear();
            Keep(records);
            return Take(0, count, kind);
        }

        var held = _window.Count - start;
        if (held < count)
        {
            var last = _window[^1].Record;
            var more = await ReadAsync(db, last.Sequence, count - held, cancellationToken);
            if (more.Count > 0 ? more[0].PrevHash == last.Hash : await StillHeldAsync(db, last, cancellationToken))
            {
                Keep(more);
                return Take(Start(after), count, kind);
            }
        }
        else if (await StillHeldAsync(db, _window[start + count - 1].Record, cancellationToken))
        {
            return Take(start, count, kind);
        }

        _window.Clear(); // the trail under the window changed: nothing it holds is vouched for, so it is read again
        return await ReadHeldAsync(db, after, count, kind, cancellationToken);
    }

    /// <summary>Where the record after <paramref name="after"/> is in the window; -1 when the window does not reach it.</summary>
    private int Start(long after)
    {
        if (_window.Count == 0 || after + 1 < _window[0].Record.Sequence || after > _window[^1].Record.Sequence)
        {
            return -1;
        }

        return (int)(after + 1 - _window[0].Record.Sequence);
    }

    private void Keep(List<AuditRecord> records)
    {
        foreach (var record in records)
        {
            _window.Add(new Entry(record));
        }

        if (_window.Count > Capacity)
        {
            _window.RemoveRange(0, _window.Count - Capacity);
        }
    }

    private List<FedRecord> Take(int start, int count, SiemFormatKind kind)
    {
        var end = Math.Min(_window.Count, start + count);
        var taken = new List<FedRecord>(Math.Max(0, end - start));
        for (var i = start; i < end; i++)
        {
            var entry = _window[i];
            var body = entry.Bodies[(int)kind] ??= _formats[(int)kind].Record(entry.Record);
            taken.Add(new FedRecord(entry.Record, body));
        }

        return taken;
    }

    private static Task<List<AuditRecord>> ReadAsync(ShieldDbContext db, long after, int count, CancellationToken cancellationToken) =>
        db.AuditRecords.AsNoTracking().Where(r => r.Sequence > after).OrderBy(r => r.Sequence).Take(count).ToListAsync(cancellationToken);

    private static async Task<bool> StillHeldAsync(ShieldDbContext db, AuditRecord record, CancellationToken cancellationToken) =>
        await db.AuditRecords.Where(r => r.Sequence == record.Sequence).Select(r => r.Hash).SingleOrDefaultAsync(cancellationToken) == record.Hash;

    private sealed class Entry(AuditRecord record)
    {
        public AuditRecord Record { get; } = record;

        public byte[]?[] Bodies { get; } = new byte[]?[Enum.GetValues<SiemFormatKind>().Length];
    }
}
