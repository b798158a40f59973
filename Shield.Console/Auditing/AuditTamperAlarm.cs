using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>Tampering found at start: what, when, and whether it halts recording until acknowledged.</summary>
public sealed record AuditTamperAlarm(AuditTamperFinding Finding, DateTime DetectedAtUtc, bool HaltsRecording)
{
    /// <summary>The acknowledgement's place in the chain, once acknowledged.</summary>
    public long? AcknowledgedIn { get; init; }

    /// <summary>The stored tail the finding was made on: the acknowledgement chains after exactly it.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    internal (long Sequence, string Hash) FoundAt { get; init; }

    /// <summary>Nothing is recorded, and so every call is refused, until an administrator acknowledges it.</summary>
    public bool Halted => HaltsRecording && AcknowledgedIn is null;

    public string Refusal =>
        $"Shield found the audit trail altered ({Finding.Problem}) and records nothing until an administrator acknowledges it (console: Audit; API: POST /api/audit/tamper/acknowledge).";
}

/// <summary>An acknowledgement on its way to the writer's loop, and who waits for its record.</summary>
internal sealed record PendingAcknowledgement(AuditRecord Record, TaskCompletionSource<AuditReceipt> Done);

/// <summary>The stored trail does not verify where the writer was about to chain: what was found, and the tail it found.</summary>
internal sealed class AuditTamperException(AuditTamperFinding finding, (long Sequence, string Hash) tail)
    : Exception(finding.Problem)
{
    public AuditTamperFinding Finding { get; } = finding;

    public (long Sequence, string Hash) Tail { get; } = tail;
}

/// <summary>The stored tail changed while a finding waited for its acknowledgement.</summary>
internal sealed class AuditTrailChangedException() : Exception("The audit trail changed while the finding waited for acknowledgement.");
