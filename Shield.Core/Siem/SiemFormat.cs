using Shield.Core.Auditing;

namespace Shield.Core.Siem;

/// <summary>What a sink's messages hold: an OCSF event (JSON) or a CEF line.</summary>
public enum SiemFormatKind
{
    Ocsf,
    Cef,
}

/// <summary>Writes records and anchors as one format's messages; one instance per sink, used by one thread.</summary>
public abstract class SiemFormat
{
    /// <summary>The product version the messages name (Shield's informational version).</summary>
    protected SiemFormat(string productVersion) => ProductVersion = productVersion;

    public string ProductVersion { get; }

    /// <summary>The message body of one committed record, in UTF-8: the bytes every transport sends.</summary>
    public abstract byte[] Record(AuditRecord record);

    /// <summary>The message body of one signed checkpoint of the chain (an anchor, signed as the anchor file's lines are), in UTF-8.</summary>
    public abstract byte[] Anchor(AuditAnchor anchor);

    public static SiemFormat Create(SiemFormatKind kind, string productVersion) => kind switch
    {
        SiemFormatKind.Cef => new CefFormat(productVersion),
        _ => new OcsfFormat(productVersion),
    };

    /// <summary>The MCP method or governance act a record is about, as the formats name it.</summary>
    public static string Operation(AuditRecord record) => record.EventType switch
    {
        var type when type.StartsWith("tool-call.", StringComparison.Ordinal) => "tools/call",
        AuditEventTypes.ResourceRead => "resources/read",
        AuditEventTypes.PromptGet => "prompts/get",
        AuditEventTypes.Governance => $"{record.Subject}.{record.Action}",
        _ => record.EventType,
    };

    /// <summary>A UTC time as milliseconds since 1970 (OCSF's <c>timestamp_t</c>, CEF's <c>rt</c>).</summary>
    protected static long UnixMilliseconds(DateTime atUtc) => new DateTimeOffset(DateTime.SpecifyKind(atUtc, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    /// <summary>One line a person reads in the SIEM's list: what happened, who did it, to what, and why.</summary>
    public static string Summary(AuditRecord record)
    {
        var what = record.Server is { } server && record.Tool is { } tool ? $" on {Registry.QualifiedToolName.Of(server, tool)}"
            : record.SubjectKey is { } key ? $" on {record.Subject} {key}" : "";
        var why = string.IsNullOrEmpty(record.Reason) ? "" : $": {record.Reason}";
        return $"{record.EventType} by {record.ActorKind} {record.ActorName}{what}{why}";
    }
}
