using Shield.Core.Auditing;
using Shield.Core.Governance;

namespace Shield.Console.Auditing;

/// <summary>The records the trail writes about itself: a change of sealing key, and tampering acknowledged.</summary>
internal static class AuditTrailRecords
{
    public static AuditRecord Sealing(AuditChainKey key, AuditChainKey? previous, DateTime now) => new()
    {
        AtUtc = now,
        EventType = AuditEventTypes.Sealing,
        ActorKind = Actor.System,
        ActorId = "audit",
        ActorName = "Shield (audit trail)",
        Subject = "audit",
        SubjectKey = key.Id,
        Action = previous is null ? "sealed" : "key-changed",
        Reason = key.Source == AuditKeySource.File
            ? $"From the next record on, records are sealed with the chain key from {AuditOptions.SectionName}:KeyFile."
            : $"From the next record on, records are sealed with the audit key kept in the database ({AuditOptions.SectionName}:KeyFile is not set).",
        After = new AuditSealing(key.Id, key.Source == AuditKeySource.File ? "file" : "database", previous?.Id).ToJson(),
    };

    public static AuditRecord TamperDetected(AuditTamperFinding finding, Actor by, string reason, DateTime now) => new()
    {
        AtUtc = now,
        EventType = AuditEventTypes.TamperDetected,
        ActorKind = by.Kind,
        ActorId = by.Id,
        ActorName = by.Name,
        Subject = "audit",
        SubjectKey = finding.From is { } from ? $"{from}-{finding.Through}" : $"{finding.MissingFrom}-{finding.MissingThrough}",
        Action = "acknowledged",
        Outcome = "tamper-detected",
        Reason = reason,
        After = finding.ToJson(),
    };
}
