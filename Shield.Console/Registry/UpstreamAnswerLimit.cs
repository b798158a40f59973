using System.Net;

namespace Shield.Console.Registry;

/// <summary>
/// Caps every message an upstream MCP server sends over HTTP: a JSON body, or one server-sent event of a stream (a
/// stream as a whole may run as long as it likes). Past the cap the read fails with
/// <see cref="UpstreamAnswerTooLargeException"/> and nothing more is read, so an oversized answer never sits in memory
/// whole. The cap is the connection's: discovery's for <c>tools/list</c>, the relay's for results.
/// </summary>
internal sealed class UpstreamAnswerLimit(long limit, string setting) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        response.Content = new LimitedContent(response.Content, limit, setting);
        return response;
    }

    private sealed class LimitedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly long _limit;
        private readonly string _setting;

        public LimitedContent(HttpContent inner, long limit, string setting)
        {
            (_inner, _limit, _setting) = (inner, limit, setting);
            foreach (var (name, values) in inner.Headers)
            {
                Headers.TryAddWithoutValidation(name, values);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await using var source = await CreateContentReadStreamAsync(cancellationToken);
            await source.CopyToAsync(stream, cancellationToken);
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            new LimitedStream(await _inner.ReadAsStreamAsync(cancellationToken), _limit, _setting, Headers.ContentType?.MediaType == "text/event-stream");

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Counts the bytes of the message being read: the whole body, or for an event stream those since the last blank line.</summary>
    private sealed class LimitedStream(Stream inner, long limit, string setting, bool events) : Stream
    {
        private long _count;
        private bool _lineStarted;
        private bool _afterCarriageReturn;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override int Read(Span<byte> buffer) => Counted(buffer[..inner.Read(buffer)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Counted(buffer.Span[..read]);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();

        private int Counted(ReadOnlySpan<byte> read)
        {
            if (events)
            {
                CountEvents(read);
            }
            else
            {
                _count += read.Length;
                Check();
            }

            return read.Length;
        }

        private void Check()
        {
            if (_count > limit)
            {
                throw new UpstreamAnswerTooLargeException(limit, setting);
            }
        }

        // An event ends at a blank line (CRLF, LF or CR line ends): the count starts again after it.
        private void CountEvents(ReadOnlySpan<byte> read)
        {
            while (!read.IsEmpty)
            {
                var end = read.IndexOfAny((byte)'\r', (byte)'\n');
                if (end < 0)
                {
                    _count += read.Length;
                    _lineStarted = true;
                    _afterCarriageReturn = false;
                    Check();
                    return;
                }

                _count += end + 1;
                Check();
                var lineEnd = read[end];
                if (end > 0)
                {
                    _lineStarted = true;
                }

                if (!(lineEnd == '\n' && end == 0 && _afterCarriageReturn))
                {
                    if (!_lineStarted)
                    {
                        _count = 0;
                    }

                    _lineStarted = false;
                }

                _afterCarriageReturn = lineEnd == '\r';
                read = read[(end + 1)..];
            }
        }
    }
}

/// <summary>An upstream server sent a message over the configured cap; Shield stopped reading it.</summary>
public sealed class UpstreamAnswerTooLargeException(long limit, string setting)
    : Exception($"The server's answer ran past {limit:N0} bytes, the most Shield accepts from a server ({setting}); Shield stopped reading it.");
