using Shield.Core.Auditing;
using Shield.Core.Siem;

namespace Shield.Tests.Core.Siem;

public sealed class SiemSeveritiesTests
{
    [Theory]
    [InlineData(AuditEventTypes.TamperDetected, SiemSeverity.High, 8, 2)]
    [InlineData(AuditEventTypes.Gap, SiemSeverity.Medium, 5, 4)]
    [InlineData(AuditEventTypes.RequestRefused, SiemSeverity.Low, 3, 5)]
    [InlineData(AuditEventTypes.CallDenied, SiemSeverity.Low, 3, 5)]
    [InlineData(AuditEventTypes.CallCompleted, SiemSeverity.Informational, 1, 6)]
    public void Refusals_AndTheTrailsOwnAlarms_StandOutInEveryFormat(string eventType, SiemSeverity severity, int cef, int syslog)
    {
        var record = new AuditRecord { EventType = eventType };

        Assert.Equal(severity, SiemSeverities.Of(record));
        Assert.Equal(cef, SiemSeverities.Cef(severity));
        Assert.Equal(syslog, SiemSeverities.Syslog(severity));
        Assert.Equal(severity != SiemSeverity.Informational, SiemSeverities.IsFailure(record));
    }
}
