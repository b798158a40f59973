using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shield.Core.Auditing;

/// <summary>
/// What an <c>audit.sealing</c> record says (in its <c>after</c>): from the next record on, every record is sealed
/// with the key <see cref="KeyId"/>. The record itself is sealed with the key in force before it (or, for the first,
/// with the new key), so only a holder of the old key can hand the chain on to a new one.
/// </summary>
public sealed record AuditSealing(
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("previousKeyId")] string? PreviousKeyId)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static AuditSealing? Read(AuditRecord record) => AuditTrailJson.Read<AuditSealing>(record, AuditEventTypes.Sealing);
}

/// <summary>
/// What an <c>audit.tamper-detected</c> record says: records <see cref="From"/> to <see cref="Through"/> did not verify
/// (null when none are stored), records <see cref="MissingFrom"/> to <see cref="MissingThrough"/> were anchored but are
/// gone, and who decided to go on. Verification reports such a range as an acknowledged break and checks on after it.
/// </summary>
public sealed record AuditTamperFinding(
    [property: JsonPropertyName("problem")] string Problem,
    [property: JsonPropertyName("from")] long? From,
    [property: JsonPropertyName("through")] long? Through,
    [property: JsonPropertyName("missingFrom")] long? MissingFrom = null,
    [property: JsonPropertyName("missingThrough")] long? MissingThrough = null)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static AuditTamperFinding? Read(AuditRecord record) => AuditTrailJson.Read<AuditTamperFinding>(record, AuditEventTypes.TamperDetected);
}

/// <summary>
/// What an <c>audit.gap</c> record says: failing open, Shield let work through between <see cref="FromUtc"/> and
/// <see cref="ToUtc"/> without recording <see cref="Records"/> records, <see cref="Calls"/> of them decisions on calls.
/// </summary>
public sealed record AuditGap(
    [property: JsonPropertyName("fromUtc")] DateTime FromUtc,
    [property: JsonPropertyName("toUtc")] DateTime ToUtc,
    [property: JsonPropertyName("records")] long Records,
    [property: JsonPropertyName("calls")] long Calls,
    [property: JsonPropertyName("cause")] string Cause)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static AuditGap? Read(AuditRecord record) => AuditTrailJson.Read<AuditGap>(record, AuditEventTypes.Gap);
}

internal static class AuditTrailJson
{
    public static T? Read<T>(AuditRecord record, string eventType)
        where T : class
    {
        if (record.EventType != eventType || record.After is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(record.After);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
