namespace Shield.Console.Auditing;

/// <summary>The audit trail could not record something, so Shield must not go on with it (fail closed).</summary>
public sealed class AuditUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Where a record landed in the chain; <see cref="Recorded"/> is false only when failing open.</summary>
public readonly record struct AuditReceipt(long Sequence, string Hash)
{
    public bool Recorded => Sequence > 0;

    public static AuditReceipt NotRecorded => new(0, "");
}
