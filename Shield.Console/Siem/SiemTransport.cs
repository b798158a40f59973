using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>One message for a sink: a record or an anchor, written in the sink's format (<see cref="Body"/>, UTF-8).</summary>
internal sealed record SiemMessage(long Sequence, DateTime AtUtc, SiemSeverity Severity, string EventType, byte[] Body, string? TraceId, string? SpanId);

/// <summary>How a sink reaches its receiver: a syslog connection, or OTLP requests.</summary>
internal interface ISiemTransport : IAsyncDisposable
{
    /// <summary>
    /// Whether a send that returned means the receiver took the messages (OTLP answers each request); when not (syslog
    /// over TCP), a new connection sends the last records again.
    /// </summary>
    bool Acknowledges { get; }

    /// <summary>Whether the receiver is known to have gone away since the last send; the sink then opens a new transport.</summary>
    bool Broken { get; }

    Task SendAsync(IReadOnlyList<SiemMessage> messages, CancellationToken cancellationToken);
}
