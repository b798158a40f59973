using System.Globalization;
using System.Text;
using Shield.Core.Auditing;

namespace Shield.Core.Siem;

/// <summary>
/// Records as ArcSight CEF lines (<c>CEF:0|Shield|Shield|version|eventType|name|severity|extension</c>), for SIEMs
/// that read no JSON. CEF has keys for a record's main fields only (who, what, the decision, the outcome, why, the chain
/// link); the arguments and a governance change's before and after stay in Shield, or go out in OCSF. The mapping,
/// field by field, is in docs/audit.md.
/// </summary>
public sealed class CefFormat(string productVersion) : SiemFormat(productVersion)
{
    private readonly StringBuilder _text = new(1024);

    public override byte[] Record(AuditRecord record)
    {
        Header(record.EventType, Summary(record), SiemSeverities.Cef(SiemSeverities.Of(record)));
        Add("rt", Number(UnixMilliseconds(record.AtUtc)));
        Add("externalId", Number(record.Sequence));
        Add("cat", record.EventType);
        Add("suid", record.ActorId);
        Add("suser", record.ActorName);
        Add("requestMethod", Operation(record));
        Add("act", record.Decision);
        Add("outcome", record.Outcome);
        Add("reason", record.Reason);
        Add("cs1Label", "mcpServer");
        Add("cs1", record.Server);
        Add("cs2Label", "mcpTool");
        Add("cs2", record.Tool);
        Add("cs3Label", "sessionId");
        Add("cs3", AuditChain.Id(record.SessionId));
        Add("cs4Label", "hash");
        Add("cs4", record.Hash);
        Add("cs5Label", "prevHash");
        Add("cs5", record.PrevHash);
        Add("cs6Label", "seal");
        Add("cs6", record.Seal);
        Add("cn1Label", "durationMicroseconds");
        Add("cn1", record.DurationMicroseconds is { } duration ? Number(duration) : null);
        Add("flexString1Label", "traceId");
        Add("flexString1", record.TraceId);
        Add("flexString2Label", "subject");
        Add("flexString2", record.SubjectKey is null ? null : $"{record.Subject} {record.SubjectKey} {record.Action}");
        return Encoding.UTF8.GetBytes(_text.ToString());
    }

    public override byte[] Anchor(AuditAnchor anchor)
    {
        Header("audit.checkpoint", $"Signed checkpoint: the audit trail reached record {anchor.Sequence}", SiemSeverities.Cef(SiemSeverity.Informational));
        Add("rt", Number(UnixMilliseconds(anchor.AtUtc)));
        Add("externalId", Number(anchor.Sequence));
        Add("cat", "audit.checkpoint");
        Add("cs4Label", "hash");
        Add("cs4", anchor.Hash);
        Add("cs5Label", "keyId");
        Add("cs5", anchor.KeyId);
        Add("cs6Label", "signature");
        Add("cs6", anchor.Signature);
        Add("flexString1Label", "atUtc");
        Add("flexString1", AuditChain.Time(anchor.AtUtc));
        return Encoding.UTF8.GetBytes(_text.ToString());
    }

    private void Header(string eventClass, string name, int severity)
    {
        _text.Clear().Append("CEF:0|Shield|Shield|");
        foreach (var field in (ReadOnlySpan<string>)[ProductVersion, eventClass, name])
        {
            foreach (var c in field)
            {
                _ = c switch
                {
                    '\\' or '|' => _text.Append('\\').Append(c),
                    '\r' or '\n' => _text.Append(' '),
                    _ => _text.Append(c),
                };
            }

            _text.Append('|');
        }

        _text.Append(severity.ToString(CultureInfo.InvariantCulture)).Append('|');
    }

    /// <summary>One extension pair; nothing for a null value. Values escape <c>\</c>, <c>=</c> and line breaks.</summary>
    private void Add(string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (_text[^1] != '|')
        {
            _text.Append(' ');
        }

        _text.Append(key).Append('=');
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' or '=' => _text.Append('\\').Append(c),
                '\n' => _text.Append("\\n"),
                '\r' => _text.Append("\\r"),
                _ => _text.Append(c),
            };
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
