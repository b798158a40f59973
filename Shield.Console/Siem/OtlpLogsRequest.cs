using Google.Protobuf;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>
/// An OTLP <c>ExportLogsServiceRequest</c> (opentelemetry-proto, <c>opentelemetry/proto/collector/logs/v1</c>), written
/// field by field with <see cref="CodedOutputStream"/>: one resource (<c>service.name</c> shield, <c>host.name</c>), one
/// scope (<c>Shield.Audit</c>), and a log record per message whose body is the message in the sink's format, with the
/// record's sequence, event type and trace context. Only the few messages Shield sends are written; no generated code.
/// </summary>
internal static class OtlpLogsRequest
{
    public const string ScopeName = "Shield.Audit";

    // Field numbers of opentelemetry/proto/logs/v1/logs.proto, common/v1/common.proto and resource/v1/resource.proto.
    private const int ResourceLogsField = 1, ResourceField = 1, ScopeLogsField = 2, ScopeField = 1, LogRecordsField = 2;
    private const int AttributesField = 1, ScopeNameField = 1, ScopeVersionField = 2;
    private const int TimeField = 1, SeverityNumberField = 2, SeverityTextField = 3, BodyField = 5, RecordAttributesField = 6,
        TraceIdField = 9, SpanIdField = 10, ObservedTimeField = 11, EventNameField = 12;
    private const int KeyField = 1, ValueField = 2, StringValueField = 1, IntValueField = 3;

    public static byte[] Write(IReadOnlyList<SiemMessage> messages, string productVersion, DateTime nowUtc)
    {
        var scopeLogs = Nested(output =>
        {
            Message(output, ScopeField, scope =>
            {
                scope.WriteTag(ScopeNameField, WireFormat.WireType.LengthDelimited);
                scope.WriteString(ScopeName);
                scope.WriteTag(ScopeVersionField, WireFormat.WireType.LengthDelimited);
                scope.WriteString(productVersion);
            });
            foreach (var message in messages)
            {
                Message(output, LogRecordsField, record => LogRecord(record, message, nowUtc));
            }
        });
        return Nested(output => Message(output, ResourceLogsField, resourceLogs =>
        {
            Message(resourceLogs, ResourceField, resource =>
            {
                Attribute(resource, AttributesField, "service.name", "shield");
                Attribute(resource, AttributesField, "service.version", productVersion);
                Attribute(resource, AttributesField, "host.name", Environment.MachineName);
            });
            resourceLogs.WriteTag(ScopeLogsField, WireFormat.WireType.LengthDelimited);
            resourceLogs.WriteBytes(ByteString.CopyFrom(scopeLogs));
        }));
    }

    /// <summary>OTLP's severity numbers: INFO 9, WARN 13, ERROR 17, FATAL 21.</summary>
    public static (int Number, string Text) Severity(SiemSeverity severity) => severity switch
    {
        SiemSeverity.High => (21, "FATAL"),
        SiemSeverity.Medium => (17, "ERROR"),
        SiemSeverity.Low => (13, "WARN"),
        _ => (9, "INFO"),
    };

    private static void LogRecord(CodedOutputStream output, SiemMessage message, DateTime nowUtc)
    {
        output.WriteTag(TimeField, WireFormat.WireType.Fixed64);
        output.WriteFixed64(UnixNanoseconds(message.AtUtc));
        var (number, text) = Severity(message.Severity);
        output.WriteTag(SeverityNumberField, WireFormat.WireType.Varint);
        output.WriteEnum(number);
        output.WriteTag(SeverityTextField, WireFormat.WireType.LengthDelimited);
        output.WriteString(text);
        Message(output, BodyField, body =>
        {
            body.WriteTag(StringValueField, WireFormat.WireType.LengthDelimited);
            body.WriteBytes(UnsafeByteOperations.UnsafeWrap(message.Body)); // a string field is its UTF-8 bytes
        });
        Message(output, RecordAttributesField, attribute =>
        {
            attribute.WriteTag(KeyField, WireFormat.WireType.LengthDelimited);
            attribute.WriteString("shield.audit.sequence");
            Message(attribute, ValueField, value =>
            {
                value.WriteTag(IntValueField, WireFormat.WireType.Varint);
                value.WriteInt64(message.Sequence);
            });
        });
        if (Hex(message.TraceId, 16) is { } traceId)
        {
            output.WriteTag(TraceIdField, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(traceId);
        }

        if (Hex(message.SpanId, 8) is { } spanId)
        {
            output.WriteTag(SpanIdField, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(spanId);
        }

        output.WriteTag(ObservedTimeField, WireFormat.WireType.Fixed64);
        output.WriteFixed64(UnixNanoseconds(nowUtc));
        output.WriteTag(EventNameField, WireFormat.WireType.LengthDelimited);
        output.WriteString(message.EventType);
    }

    private static void Attribute(CodedOutputStream output, int field, string key, string value) =>
        Message(output, field, attribute =>
        {
            attribute.WriteTag(KeyField, WireFormat.WireType.LengthDelimited);
            attribute.WriteString(key);
            Message(attribute, ValueField, any =>
            {
                any.WriteTag(StringValueField, WireFormat.WireType.LengthDelimited);
                any.WriteString(value);
            });
        });

    /// <summary>A length-delimited sub-message: written apart first, since its length comes before it.</summary>
    private static void Message(CodedOutputStream output, int field, Action<CodedOutputStream> write)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(Nested(write)));
    }

    private static byte[] Nested(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    private static ByteString? Hex(string? text, int bytes) =>
        text is { Length: > 0 } && text.Length == bytes * 2 && text.All(char.IsAsciiHexDigit) ? ByteString.CopyFrom(Convert.FromHexString(text)) : null;

    private static ulong UnixNanoseconds(DateTime atUtc) =>
        (ulong)(DateTime.SpecifyKind(atUtc, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks * 100;
}
