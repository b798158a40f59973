using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>
/// Told of the records each commit of this instance's writer chained, in chain order, right after the commit: so that
/// what streams the trail (the SIEM feed) need not read back what this process just wrote. Called on the writer's loop:
/// it must return at once, never wait and never throw. Not called in a cluster, where other instances' records
/// interleave with these.
/// </summary>
public interface IAuditCommitted
{
    void Committed(IReadOnlyList<AuditRecord> records);
}
