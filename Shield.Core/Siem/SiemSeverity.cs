using Shield.Core.Auditing;

namespace Shield.Core.Siem;

/// <summary>
/// How much a record matters to whoever watches the SIEM, in OCSF's <c>severity_id</c> terms; CEF and syslog scales are
/// derived from it, so the three formats never disagree.
/// </summary>
public enum SiemSeverity
{
    Informational = 1,
    Low = 2,
    Medium = 3,
    High = 4,
}

public static class SiemSeverities
{
    /// <summary>Refusals and failures: worth a look, not an alarm by themselves.</summary>
    private static readonly HashSet<string> Refusals =
    [
        AuditEventTypes.CallDenied, AuditEventTypes.CallRejected, AuditEventTypes.CallExpired, AuditEventTypes.CallDecisionRefused,
        AuditEventTypes.CallUpstreamError, AuditEventTypes.SignInFailed, AuditEventTypes.SessionRefused,
        AuditEventTypes.SessionToolsRefused, AuditEventTypes.RequestRefused, AuditEventTypes.DiscoveryFailed,
    ];

    public static SiemSeverity Of(AuditRecord record) => record.EventType switch
    {
        AuditEventTypes.TamperDetected => SiemSeverity.High,
        AuditEventTypes.Gap or AuditEventTypes.SignInLockedOut or AuditEventTypes.SignInThrottled => SiemSeverity.Medium,
        var type when Refusals.Contains(type) => SiemSeverity.Low,
        _ => SiemSeverity.Informational,
    };

    /// <summary>Whether the record says something was refused or failed (OCSF <c>status_id</c> 2).</summary>
    public static bool IsFailure(AuditRecord record) =>
        record.Outcome is "refused" or "failed" or "tool-error" || Refusals.Contains(record.EventType) ||
        record.EventType is AuditEventTypes.SignInLockedOut or AuditEventTypes.SignInThrottled or AuditEventTypes.TamperDetected or AuditEventTypes.Gap;

    /// <summary>CEF's 0–10 scale.</summary>
    public static int Cef(SiemSeverity severity) => severity switch
    {
        SiemSeverity.High => 8,
        SiemSeverity.Medium => 5,
        SiemSeverity.Low => 3,
        _ => 1,
    };

    /// <summary>Syslog's severity (RFC 5424 §6.2.1): critical, warning, notice, informational.</summary>
    public static int Syslog(SiemSeverity severity) => severity switch
    {
        SiemSeverity.High => 2,
        SiemSeverity.Medium => 4,
        SiemSeverity.Low => 5,
        _ => 6,
    };
}
