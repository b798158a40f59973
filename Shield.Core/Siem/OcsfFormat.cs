using System.Buffers;
using System.Text;
using System.Text.Json;
using Shield.Core.Auditing;
using Shield.Core.Governance;

namespace Shield.Core.Siem;

/// <summary>
/// Records as OCSF 1.8.0 <em>API Activity</em> events (class 6003, category 6 Application Activity): a tool call, a
/// resource read and a governance change are each one call of an API, made by an actor, with a status. The whole record,
/// with its hash and seal, rides in <c>unmapped.shield</c>, so a receiver can check the chain from the SIEM alone.
/// Anchors are OCSF <em>Base Events</em> (class 0) with the anchor line in <c>unmapped.shield_anchor</c>.
/// The mapping, field by field, is in docs/audit.md.
/// </summary>
public sealed class OcsfFormat(string productVersion) : SiemFormat(productVersion)
{
    public const string SchemaVersion = "1.8.0";
    public const int ApiActivityClass = 6003;
    public const int ApplicationCategory = 6;

    private static readonly JsonWriterOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // One of each per format, reused from message to message: a record costs its message's bytes and little else.
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly StringBuilder _record = new(2048);
    private static readonly UTF8Encoding Lossy = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private char[] _chars = new char[2048];
    private byte[] _bytes = new byte[8192];
    private Utf8JsonWriter? _writer;

    public override byte[] Record(AuditRecord record)
    {
        var (activityId, activityName) = Activity(record);
        var severity = SiemSeverities.Of(record);
        var failed = SiemSeverities.IsFailure(record);
        var pending = !failed && record.EventType == AuditEventTypes.CallApprovalRequired;
        var json = Start();
        json.WriteNumber("class_uid", ApiActivityClass);
        json.WriteString("class_name", "API Activity");
        json.WriteNumber("category_uid", ApplicationCategory);
        json.WriteString("category_name", "Application Activity");
        json.WriteNumber("activity_id", activityId);
        json.WriteString("activity_name", activityName);
        json.WriteNumber("type_uid", ApiActivityClass * 100L + activityId);
        json.WriteString("type_name", TypeName(activityId));
        json.WriteNumber("severity_id", (int)severity);
        json.WriteString("severity", severity.ToString());
        json.WriteNumber("time", UnixMilliseconds(record.AtUtc));
        json.WriteNumber("timezone_offset", 0);
        json.WriteNumber("status_id", failed ? 2 : pending ? 99 : 1);
        json.WriteString("status", failed ? "Failure" : pending ? "Other" : "Success");
        json.WriteString("status_code", record.Outcome ?? record.EventType);
        if (record.Reason is { } reason)
        {
            json.WriteString("status_detail", reason);
        }

        json.WriteString("message", Summary(record));
        if (record.Decision is { } decision)
        {
            var (actionId, action) = decision switch { "Allow" => (1, "Allowed"), "Deny" => (2, "Denied"), _ => (99, decision) };
            json.WriteNumber("action_id", actionId);
            json.WriteString("action", action);
        }

        Metadata(json, record.Hash, record.Sequence, record.EventType, record.AtUtc, record.TraceId);
        WriteActor(json, record);
        json.WriteStartObject("api");
        json.WriteString("operation", Operation(record));
        if (record.Server is { } server)
        {
            json.WriteStartObject("service");
            json.WriteString("name", server);
            json.WriteEndObject();
        }

        json.WriteStartObject("request");
        json.WriteString("uid", record.SpanId ?? $"shield-audit-{record.Sequence}");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("src_endpoint");
        json.WriteString("uid", record.ActorId);
        json.WriteString("name", record.ActorName);
        json.WriteEndObject();
        if (record.Server is { } upstream)
        {
            json.WriteStartObject("dst_endpoint");
            json.WriteString("svc_name", upstream);
            json.WriteEndObject();
        }

        if (Resource(record) is var (type, name))
        {
            json.WriteStartArray("resources");
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteString("name", name);
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("unmapped");
        json.WritePropertyName("shield");
        _record.Clear();
        AuditChain.WriteJson(record, _record);
        if (_chars.Length < _record.Length)
        {
            _chars = new char[_record.Length * 2];
        }

        _record.CopyTo(0, _chars, _record.Length);
        // In UTF-8 as the chain hashes it: a lone surrogate (half a character) becomes U+FFFD rather than an error.
        var utf8 = Lossy.GetMaxByteCount(_record.Length);
        if (_bytes.Length < utf8)
        {
            _bytes = new byte[utf8 * 2];
        }

        var written = Lossy.GetBytes(_chars, 0, _record.Length, _bytes, 0);
        json.WriteRawValue(_bytes.AsSpan(0, written), skipInputValidation: true);
        json.WriteEndObject();
        return Finish(json);
    }

    public override byte[] Anchor(AuditAnchor anchor)
    {
        var json = Start();
        json.WriteNumber("class_uid", 0);
        json.WriteString("class_name", "Base Event");
        json.WriteNumber("category_uid", 0);
        json.WriteString("category_name", "Uncategorized");
        json.WriteNumber("activity_id", 99);
        json.WriteString("activity_name", "audit.checkpoint");
        json.WriteNumber("type_uid", 99);
        json.WriteNumber("severity_id", (int)SiemSeverity.Informational);
        json.WriteString("severity", nameof(SiemSeverity.Informational));
        json.WriteNumber("time", UnixMilliseconds(anchor.AtUtc));
        json.WriteNumber("timezone_offset", 0);
        json.WriteNumber("status_id", 1);
        json.WriteString("status", "Success");
        json.WriteString("message", $"Shield's audit trail reached record {anchor.Sequence} with hash {anchor.Hash} (signed checkpoint, key {anchor.KeyId})");
        Metadata(json, anchor.Signature, anchor.Sequence, "audit.checkpoint", anchor.AtUtc, null);
        json.WriteStartObject("unmapped");
        json.WritePropertyName("shield_anchor");
        json.WriteRawValue(anchor.ToLine(), skipInputValidation: true);
        json.WriteEndObject();
        return Finish(json);
    }

    private Utf8JsonWriter Start()
    {
        _buffer.ResetWrittenCount();
        if (_writer is null)
        {
            _writer = new Utf8JsonWriter(_buffer, Relaxed);
        }
        else
        {
            _writer.Reset(_buffer);
        }

        _writer.WriteStartObject();
        return _writer;
    }

    private byte[] Finish(Utf8JsonWriter json)
    {
        json.WriteEndObject();
        json.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private void Metadata(Utf8JsonWriter json, string uid, long sequence, string eventCode, DateTime atUtc, string? traceId)
    {
        json.WriteStartObject("metadata");
        json.WriteString("version", SchemaVersion);
        json.WriteStartObject("product");
        json.WriteString("name", "Shield");
        json.WriteString("vendor_name", "Shield");
        json.WriteString("version", ProductVersion);
        json.WriteEndObject();
        json.WriteString("uid", uid);
        json.WriteNumber("sequence", sequence);
        json.WriteString("event_code", eventCode);
        json.WriteString("log_name", "audit");
        json.WriteString("original_time", AuditChain.Time(atUtc));
        if (traceId is not null)
        {
            json.WriteString("correlation_uid", traceId);
        }

        json.WriteStartArray("profiles");
        json.WriteStringValue("security_control");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteActor(Utf8JsonWriter json, AuditRecord record)
    {
        json.WriteStartObject("actor");
        json.WriteStartObject("user");
        json.WriteString("uid", record.ActorId);
        json.WriteString("name", record.ActorName);
        var (typeId, type) = record.ActorKind switch
        {
            Actor.Person => (1, "User"),
            Actor.System => (3, "System"),
            _ => (99, record.ActorKind),
        };
        json.WriteNumber("type_id", typeId);
        json.WriteString("type", type);
        json.WriteEndObject();
        if (record.SessionId is { } session)
        {
            json.WriteStartObject("session");
            json.WriteString("uid", AuditChain.Id(session));
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static string TypeName(int activityId) => activityId switch
    {
        1 => "API Activity: Create",
        2 => "API Activity: Read",
        3 => "API Activity: Update",
        4 => "API Activity: Delete",
        _ => "API Activity: Other",
    };

    /// <summary>API Activity's activities are create, read, update and delete; a tool call is none of them (99, Other).</summary>
    private static (int Id, string Name) Activity(AuditRecord record) => record.EventType switch
    {
        AuditEventTypes.ResourceRead or AuditEventTypes.PromptGet => (2, "Read"),
        AuditEventTypes.Governance => record.Action switch
        {
            "created" or "added" or "minted" or "registered" => (1, "Create"),
            "removed" or "deleted" => (4, "Delete"),
            _ => (3, "Update"),
        },
        _ => (99, "Other"),
    };

    private static (string Type, string Name)? Resource(AuditRecord record) =>
        record.Server is { } server && record.Tool is { } tool ? ("tool", Registry.QualifiedToolName.Of(server, tool))
        : record.Subject is { } subject && record.SubjectKey is { } key ? (subject, key)
        : null;
}
