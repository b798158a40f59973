namespace Shield.Console.Auditing;

/// <summary>
/// The trail's state now, for the console's banner, the Audit page and <c>GET /api/audit/status</c>: whether it is
/// being written (and why not), where the chain key lives, whether checkpoints reach the anchor file, and tampering
/// found at start.
/// </summary>
public sealed record AuditTrailStatus(
    bool Recording,
    string? Failure,
    string ChainKey,
    string AnchorFile,
    string? AnchorFailure,
    AuditTamperAlarm? Tamper)
{
    public static AuditTrailStatus Of(AuditWriter writer, AuditKeyring keyring) =>
        new(writer.Failure is null, writer.Failure, keyring.ChainKeyOutsideDatabase ? "file" : "database",
            writer.Anchors.Path, writer.AnchorFailure, writer.Tamper);
}
