using Shield.Core.Auditing;
using Shield.Core.Governance;

namespace Shield.Console.Auditing;

/// <summary>
/// Failing open, counts what went through unrecorded, so that the first commit after the outage writes it down as an
/// <c>audit.gap</c> record: from when to when, how many records, how many of them decisions on calls, and why.
/// Callers that gave up on a stuck store count themselves in as well.
/// </summary>
internal sealed class AuditGaps
{
    private readonly Lock _lock = new();
    private DateTime? _from;
    private DateTime _to;
    private long _records;
    private long _calls;
    private string _cause = "";

    public void Unrecorded(IEnumerable<AuditRecord> records, string cause, DateTime now)
    {
        lock (_lock)
        {
            Count(records, cause, now);
        }
    }

    private void Count(IEnumerable<AuditRecord> records, string cause, DateTime now)
    {
        foreach (var record in records)
        {
            _from ??= record.AtUtc == default ? now : record.AtUtc;
            _records++;
            if (record.EventType is AuditEventTypes.CallAllowed or AuditEventTypes.CallDenied or AuditEventTypes.CallApprovalRequired)
            {
                _calls++;
            }
        }

        if (_from is not null)
        {
            _to = now;
            _cause = cause;
        }
    }

    /// <summary>The record that describes the open gap, to chain before anything else; null when there is none.</summary>
    public AuditRecord? Record(DateTime now)
    {
        lock (_lock)
        {
            return Describe(now);
        }
    }

    private AuditRecord? Describe(DateTime now) => _from is not { } from ? null : new AuditRecord
    {
        AtUtc = now,
        EventType = AuditEventTypes.Gap,
        ActorKind = Actor.System,
        ActorId = "audit",
        ActorName = "Shield (audit trail)",
        Subject = "audit",
        SubjectKey = $"{AuditChain.Time(from)}/{AuditChain.Time(_to)}",
        Action = "unrecorded",
        Outcome = "gap",
        Reason = $"{_records} record(s), {_calls} of them decisions on calls, went unrecorded while the trail could not be written " +
            $"({AuditOptions.SectionName}:FailOpen is true): {_cause}",
        After = new AuditGap(from, _to, _records, _calls, _cause).ToJson(),
    };

    /// <summary>The gap's record is in the trail.</summary>
    public void Recorded(AuditRecord gap)
    {
        lock (_lock)
        {
            // What went unrecorded while the gap's record was being written stays for the next one.
            var written = AuditGap.Read(gap);
            _records -= written?.Records ?? _records;
            _calls -= written?.Calls ?? _calls;
            _from = _records > 0 ? written?.ToUtc ?? _to : null;
        }
    }
}
