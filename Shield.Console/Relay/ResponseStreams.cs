// Resumable response streams are what 2025-11-25 clients rely on; the SDK marks them as that revision's.
#pragma warning disable MCP9006

using System.Collections.Concurrent;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Shield.Console.Relay;

/// <summary>
/// The events of each MCP response stream, kept so that a client that lost its connection resumes the stream with
/// <c>Last-Event-ID</c> instead of losing a result (a call waiting for a reviewer relies on it). Kept in memory as they
/// were sent, and only while they can be needed: one whose connection broke (or that the client polls) is kept for
/// <see cref="ResumeWindow"/> after its last event, never more than <see cref="MaxKept"/> such streams at once (the
/// oldest go first). A stream whose answer went out on a response that ended normally is kept only for
/// <see cref="DeliveredGrace"/>, at most <see cref="MaxDeliveredKept"/> of them: a response that ended whole only says
/// its bytes left Shield, and a connection the client dropped in that moment loses them unless it can resume. A reader
/// waits for the stream's next event instead of polling.
/// </summary>
public sealed class ResponseStreams(IHttpContextAccessor requests, TimeProvider time) : ISseEventStreamStore
{
    /// <summary>How long a stream the client may still resume is kept after it ended.</summary>
    public static readonly TimeSpan ResumeWindow = TimeSpan.FromMinutes(5);

    /// <summary>The most streams kept for resumption at once.</summary>
    public const int MaxKept = 10_000;

    /// <summary>How long a stream whose answer went out on a response that ended whole is still kept.</summary>
    public static readonly TimeSpan DeliveredGrace = TimeSpan.FromSeconds(10);

    /// <summary>The most streams kept at once whose answer went out whole.</summary>
    public const int MaxDeliveredKept = 256;

    private readonly ConcurrentDictionary<long, Stream> _streams = new();
    private readonly ConcurrentQueue<long> _broken = new();
    private readonly ConcurrentQueue<long> _delivered = new();
    private long _next;

    /// <summary>How many streams are held now, running or kept.</summary>
    public int Count => _streams.Count;

    public ValueTask<ISseEventStreamWriter> CreateStreamAsync(SseEventStreamOptions options, CancellationToken cancellationToken = default)
    {
        var stream = new Stream(this, Interlocked.Increment(ref _next), options.SessionId, options.StreamId, options.Mode);
        _streams[stream.Number] = stream;
        // The SDK opens a stream while it handles the request that carries it: that request says whether its answer arrived.
        if (requests.HttpContext is { } context)
        {
            context.Response.OnCompleted(() =>
            {
                stream.ResponseEnded(aborted: context.RequestAborted.IsCancellationRequested);
                return Task.CompletedTask;
            });
        }
        else
        {
            stream.ResponseEnded(aborted: true);
        }

        return ValueTask.FromResult<ISseEventStreamWriter>(stream);
    }

    public ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default)
    {
        var colon = lastEventId.IndexOf(':', StringComparison.Ordinal);
        var reader = colon > 0 && long.TryParse(lastEventId.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var number) &&
            int.TryParse(lastEventId.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) &&
            _streams.TryGetValue(number, out var stream) && sequence <= stream.LastSequence
                ? new Reader(stream, sequence)
                : null;
        return ValueTask.FromResult<ISseEventStreamReader?>(reader);
    }

    private void Keep(Stream stream, bool delivered)
    {
        var (kept, most, window) = delivered ? (_delivered, MaxDeliveredKept, DeliveredGrace) : (_broken, MaxKept, ResumeWindow);
        kept.Enqueue(stream.Number);
        while (kept.Count > most && kept.TryDequeue(out var oldest))
        {
            Release(oldest);
        }

        stream.ReleaseAfter(time, window);
    }

    private void Release(long number) => _streams.TryRemove(number, out _);

    /// <summary>One response stream: its events in order, and whether its answer reached the client.</summary>
    private sealed class Stream(ResponseStreams owner, long number, string sessionId, string streamId, SseEventStreamMode mode) : ISseEventStreamWriter
    {
        private readonly Lock _lock = new();
        private readonly List<SseItem<JsonRpcMessage?>> _events = [];
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _answered;
        private bool _ended;
        private bool _responseEnded;
        private bool _delivered;
        private ITimer? _release;

        public long Number { get; } = number;

        public string SessionId { get; } = sessionId;

        public string StreamId { get; } = streamId;

        public SseEventStreamMode Mode { get; private set; } = mode;

        public int LastSequence
        {
            get
            {
                lock (_lock)
                {
                    return _events.Count;
                }
            }
        }

        public ValueTask SetModeAsync(SseEventStreamMode mode, CancellationToken cancellationToken = default)
        {
            TaskCompletionSource changed;
            lock (_lock)
            {
                Mode = mode;
                changed = Changed();
            }

            changed.TrySetResult();
            return ValueTask.CompletedTask;
        }

        public ValueTask<SseItem<JsonRpcMessage?>> WriteEventAsync(SseItem<JsonRpcMessage?> item, CancellationToken cancellationToken = default)
        {
            if (item.EventId is not null)
            {
                return ValueTask.FromResult(item);
            }

            TaskCompletionSource changed;
            lock (_lock)
            {
                item = item with { EventId = string.Create(CultureInfo.InvariantCulture, $"{Number}:{_events.Count + 1}") };
                _events.Add(item);
                _answered |= item.Data is JsonRpcResponse or ModelContextProtocol.Protocol.JsonRpcError;
                changed = Changed();
            }

            changed.TrySetResult();
            return ValueTask.FromResult(item);
        }

        /// <summary>The stream has no more events.</summary>
        public ValueTask DisposeAsync()
        {
            TaskCompletionSource changed;
            bool keep;
            lock (_lock)
            {
                if (_ended)
                {
                    return ValueTask.CompletedTask;
                }

                _ended = true;
                keep = _responseEnded && !_delivered;
                changed = Changed();
            }

            changed.TrySetResult();
            if (keep)
            {
                owner.Keep(this, delivered: false);
            }

            return ValueTask.CompletedTask;
        }

        /// <summary>The HTTP response that carried the stream ended: whole and with the answer, or cut off (or before the answer).</summary>
        public void ResponseEnded(bool aborted)
        {
            bool keep;
            lock (_lock)
            {
                _responseEnded = true;
                _delivered = !aborted && _answered;
                keep = _ended && !_delivered;
            }

            if (_delivered || keep)
            {
                owner.Keep(this, _delivered);
            }
        }

        public void ReleaseAfter(TimeProvider time, TimeSpan window)
        {
            lock (_lock)
            {
                _release ??= time.CreateTimer(_ => owner.Release(Number), null, window, Timeout.InfiniteTimeSpan);
            }
        }

        /// <summary>The events after <paramref name="sequence"/>, whether the stream goes on, and what completes when it changes.</summary>
        public (SseItem<JsonRpcMessage?>[] Events, bool Over, Task Changed) After(int sequence)
        {
            lock (_lock)
            {
                return ([.. _events.Skip(sequence)], _ended || Mode == SseEventStreamMode.Polling, _changed.Task);
            }
        }

        // Called under the lock: the signal to complete once the lock is released, and a fresh one for the next change.
        private TaskCompletionSource Changed()
        {
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return changed;
        }
    }

    private sealed class Reader(Stream stream, int sequence) : ISseEventStreamReader
    {
        public string SessionId => stream.SessionId;

        public string StreamId => stream.StreamId;

        public async IAsyncEnumerable<SseItem<JsonRpcMessage?>> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var read = sequence;
            while (true)
            {
                var (events, over, changed) = stream.After(read);
                foreach (var item in events)
                {
                    yield return item;
                }

                read += events.Length;
                if (over)
                {
                    yield break;
                }

                await changed.WaitAsync(cancellationToken);
            }
        }
    }
}
