using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Persistence;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>A committed record as a sink sends it: the record and its message body in the sink's format.</summary>
internal readonly record struct FedRecord(AuditRecord Record, byte[] Body);

/// <summary>
/// What the sinks of one instance read, shared: the latest committed records, in chain order, each written in a format
/// at most once. On a single instance the writer hands over what each commit chained (<see cref="IAuditCommitted"/>),
/// so sinks that keep up read nothing back from the database; otherwise the first sink to ask reads the records and
/// the others take them from here. A sink further behind reads on its own and changes nothing here. Nothing is taken
/// on trust: records added to the window must link to its last one by hash (a gap or a fork starts it again), and a
/// sink is served from the window only while the database holds the window's last record it is served with the same
/// hash (a trail cut after acknowledged tampering gives those numbers to new records).
/// </summary>
internal sealed class SiemFeed(IOptions<SiemOptions> options) : IAuditCommitted
{
    /// <summary>At most this many records are kept: two batches of the sinks.</summary>
    public const int Capacity = 2 * SiemSink.BatchSize;

    /// <summary>And at most about this many bytes of them (records with large arguments), waiting or kept.</summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    private readonly bool _active = options.Value.Sinks.Any(s => s.Enabled);
    private readonly ConcurrentQueue<(AuditRecord[] Records, long Bytes)> _committed = new();
    private const int WakeAt = SiemSink.BatchSize / 2;
    private int _queued;
    private long _queuedBytes;
    private long _windowBytes;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Entry> _window = new(Capacity);
    private readonly SiemFormat[] _formats = [.. Enum.GetValues<SiemFormatKind>().Select(kind => SiemFormat.Create(kind, SiemStreamer.ProductVersion))];

    /// <summary>
    /// Takes a copy of what a commit chained, unless no sink streams or the sinks left that much unread (the gap is then
    /// read from the database); wakes the sinks once half a batch waits.
    /// </summary>
    public void Committed(IReadOnlyList<AuditRecord> records)
    {
        if (!_active || records.Count == 0 || Volatile.Read(ref _queued) + records.Count > Capacity || Volatile.Read(ref _queuedBytes) > MaxBytes)
        {
            return;
        }

        var copies = new AuditRecord[records.Count];
        var bytes = 0L;
        for (var i = 0; i < copies.Length; i++)
        {
            copies[i] = records[i].Copy();
            bytes += SizeOf(copies[i]);
        }

        Interlocked.Add(ref _queuedBytes, bytes);
        _committed.Enqueue((copies, bytes));
        var queued = Interlocked.Add(ref _queued, copies.Length);
        if (queued >= WakeAt && queued - copies.Length < WakeAt)
        {
            Interlocked.Exchange(ref _arrived, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>Waits <paramref name="poll"/> for records, or less when the writer has handed over half a batch.</summary>
    public async Task WaitAsync(TimeSpan poll, TimeProvider time, CancellationToken cancellationToken)
    {
        var arrived = Volatile.Read(ref _arrived).Task;
        if (Volatile.Read(ref _queued) < WakeAt)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(arrived, Task.Delay(poll, time, stop.Token));
            await stop.CancelAsync(); // the poll's timer, when the records came first
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

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
        while (_committed.TryDequeue(out var commit))
        {
            Interlocked.Add(ref _queued, -commit.Records.Length);
            Interlocked.Add(ref _queuedBytes, -commit.Bytes);
            Extend(commit.Records);
        }

        var start = Start(after);
        if (start < 0)
        {
            var records = await ReadAsync(db, after, count, cancellationToken);
            if (_window.Count > 0 && (records.Count == 0 || records[0].Sequence <= _window[^1].Record.Sequence))
            {
                return Alone(records, kind); // behind the window: read alone
            }

            Clear();
            Keep(records);
            return Start(after) == 0 ? Take(0, count, kind) : Alone(records, kind);
        }

        var held = _window.Count - start;
        if (held < count)
        {
            var last = _window[^1].Record;
            var more = await ReadAsync(db, last.Sequence, count - held, cancellationToken);
            if (more.Count > 0 ? Follows(more[0], last) : await StillHeldAsync(db, last, cancellationToken))
            {
                Keep(more);
                if (Start(after) is >= 0 and var kept)
                {
                    return Take(kept, count, kind);
                }

                return Alone(await ReadAsync(db, after, count, cancellationToken), kind); // too large to keep
            }
        }
        else if (await StillHeldAsync(db, _window[start + count - 1].Record, cancellationToken))
        {
            return Take(start, count, kind);
        }

        Clear(); // the trail under the window changed: nothing it holds is vouched for, so it is read again
        return await ReadHeldAsync(db, after, count, kind, cancellationToken);
    }

    /// <summary>Where the record after <paramref name="after"/> is in the window; -1 when the window does not reach it.</summary>
    private int Start(long after)
    {
        if (_window.Count == 0 || after + 1 < _window[0].Record.Sequence || after > _window[^1].Record.Sequence)
        {
            return -1;
        }

        var start = (int)(after + 1 - _window[0].Record.Sequence);
        return start == _window.Count || _window[start].Record.Sequence == after + 1 ? start : -1;
    }

    /// <summary>Whether <paramref name="record"/> is the next link after <paramref name="last"/>.</summary>
    private static bool Follows(AuditRecord record, AuditRecord last) => record.Sequence == last.Sequence + 1 && record.PrevHash == last.Hash;

    /// <summary>Adds what a commit chained after the window's last record; what does not follow it starts the window again.</summary>
    private void Extend(AuditRecord[] commit)
    {
        var next = 0;
        while (_window.Count > 0 && next < commit.Length && commit[next].Sequence <= _window[^1].Record.Sequence)
        {
            if (Start(commit[next].Sequence - 1) is >= 0 and var at && _window[at].Record.Hash != commit[next].Hash)
            {
                Clear(); // what the database gave differs from what was committed: the writer's copy wins
                next = 0;
                break;
            }

            next++; // read from the database already (the same), or older than anything kept
        }

        Keep(commit[next..]);
    }

    private void Keep(IEnumerable<AuditRecord> records)
    {
        foreach (var record in records)
        {
            if (_window.Count > 0 && !Follows(record, _window[^1].Record))
            {
                Clear(); // a gap or a fork: the window holds one unbroken run of the chain, from here
            }

            _window.Add(new Entry(record));
            _windowBytes += SizeOf(record);
        }

        var drop = 0;
        while (drop < _window.Count && (_window.Count - drop > Capacity || _windowBytes > MaxBytes))
        {
            _windowBytes -= SizeOf(_window[drop++].Record);
        }

        _window.RemoveRange(0, drop);
    }

    private void Clear()
    {
        _window.Clear();
        _windowBytes = 0;
    }

    /// <summary>About what a record and its bodies in both formats hold in memory.</summary>
    private static long SizeOf(AuditRecord record) =>
        1024 + 6L * ((record.RedactedArguments?.Length ?? 0) + (record.Before?.Length ?? 0) + (record.After?.Length ?? 0) + (record.Reason?.Length ?? 0));

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

    private List<FedRecord> Alone(List<AuditRecord> records, SiemFormatKind kind) => [.. records.Select(r => new FedRecord(r, _formats[(int)kind].Record(r)))];

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
