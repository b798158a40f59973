using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shield.Core.Auditing;

/// <summary>What a line of the anchor file says.</summary>
public enum AuditAnchorKind
{
    /// <summary>Record <see cref="AuditAnchor.Sequence"/> with hash <see cref="AuditAnchor.Hash"/> was committed.</summary>
    Checkpoint,

    /// <summary>
    /// Tampering was acknowledged with the trail ending at <see cref="AuditAnchor.Sequence"/>: earlier checkpoint lines
    /// naming later records no longer apply, since the records after it are new ones.
    /// </summary>
    Reset,

    /// <summary>A line that cannot be read.</summary>
    Unreadable,
}

/// <summary>
/// One line of the anchor file: a signed checkpoint of the chain's head kept outside the database, where whoever can
/// write the database cannot reach it. JSON, one object a line, signed with the chain key (HMAC-SHA256 over
/// <see cref="SignedText"/>).
/// </summary>
public sealed record AuditAnchor(AuditAnchorKind Kind, long Sequence, string Hash, DateTime AtUtc, string KeyId, string Signature)
{
    /// <summary>Where the line is in the file (1 for the first); set by whoever read it.</summary>
    public long Line { get; init; }

    public static AuditAnchor Signed(AuditAnchorKind kind, long sequence, string hash, DateTime atUtc, AuditChainKey key) =>
        new(kind, sequence, hash, atUtc, key.Id, AuditChain.Sign(key.Bytes, SignedText(kind, sequence, hash, atUtc)));

    public static string SignedText(AuditAnchorKind kind, long sequence, string hash, DateTime atUtc) =>
        string.Create(CultureInfo.InvariantCulture, $"shield-audit-anchor:{Name(kind)}:{sequence}:{hash}:{AuditChain.Time(atUtc)}");

    public bool IsSignedBy(AuditChainKey key) =>
        key.Id == KeyId && AuditChain.SameText(AuditChain.Sign(key.Bytes, SignedText(Kind, Sequence, Hash, AtUtc)), Signature);

    public string ToLine() => JsonSerializer.Serialize(new LineJson(Name(Kind), Sequence, Hash, AuditChain.Time(AtUtc), KeyId, Signature));

    /// <summary>Reads one line; a line that is no anchor comes back as <see cref="AuditAnchorKind.Unreadable"/>.</summary>
    public static AuditAnchor Parse(string text, long line)
    {
        try
        {
            if (JsonSerializer.Deserialize<LineJson>(text) is { Hash.Length: 64, Signature.Length: 64 } parsed &&
                DateTime.TryParseExact(parsed.AtUtc, AuditChain.TimeFormat, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) &&
                parsed.Kind switch { "checkpoint" => AuditAnchorKind.Checkpoint, "reset" => AuditAnchorKind.Reset, _ => (AuditAnchorKind?)null } is { } kind)
            {
                return new AuditAnchor(kind, parsed.Sequence, parsed.Hash, at, parsed.KeyId ?? "", parsed.Signature) { Line = line };
            }
        }
        catch (JsonException)
        {
        }

        return new AuditAnchor(AuditAnchorKind.Unreadable, 0, "", default, "", "") { Line = line };
    }

    /// <summary>
    /// The checkpoint lines that still apply, in file order: a reset voids the earlier checkpoints of records after it,
    /// and of its own record when they name another hash. <paramref name="resets"/> are the file's reset lines (read
    /// first); <paramref name="lines"/> the whole file again.
    /// </summary>
    public static IEnumerable<AuditAnchor> InForce(IReadOnlyList<AuditAnchor> resets, IEnumerable<AuditAnchor> lines) =>
        lines.Where(a => a.Kind != AuditAnchorKind.Reset && !resets.Any(r => r.Line > a.Line &&
            (a.Sequence > r.Sequence || (a.Sequence == r.Sequence && a.Hash != r.Hash))));

    private static string Name(AuditAnchorKind kind) => kind == AuditAnchorKind.Reset ? "reset" : "checkpoint";

    private sealed record LineJson(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("sequence")] long Sequence,
        [property: JsonPropertyName("hash")] string Hash,
        [property: JsonPropertyName("atUtc")] string AtUtc,
        [property: JsonPropertyName("keyId")] string? KeyId,
        [property: JsonPropertyName("signature")] string Signature);
}
