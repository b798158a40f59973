using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shield.Core.Auditing;
using Shield.Core.Json;

namespace Shield.Console.Auditing;

/// <summary>
/// What an export holds, so anyone can check it is complete and unaltered: the filter, how many records, the first
/// and last sequence and hash, the SHA-256 of the exported bytes, and Shield's HMAC-SHA256 signature over the
/// canonical JSON of all of that (the manifest without <c>signature</c>).
/// </summary>
public sealed record AuditExportManifest
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public required string Format { get; init; }

    public required IReadOnlyDictionary<string, string?> Filter { get; init; }

    /// <summary>The export holds records up to this sequence: later ones were written after it began.</summary>
    public required long Through { get; init; }

    /// <summary>
    /// The trail's head when the manifest was made, read by Shield whatever the caller asked for: an export that stops
    /// before it does not hold the whole trail, and an anchor written before <see cref="TrailHeadAtUtc"/> that names a
    /// record after it shows a cut tail.
    /// </summary>
    public long TrailHead { get; init; }

    /// <summary>A time no later than when <see cref="TrailHead"/> was read.</summary>
    public DateTime TrailHeadAtUtc { get; init; }

    public required long Count { get; init; }

    public long? FirstSequence { get; init; }

    /// <summary>The <c>prevHash</c> of the first record: where the exported chain attaches to the trail.</summary>
    public string? FirstPrevHash { get; init; }

    public long? LastSequence { get; init; }

    public string? LastHash { get; init; }

    /// <summary>SHA-256 (hex) of the export's bytes exactly as served.</summary>
    public required string ContentSha256 { get; init; }

    public required DateTime GeneratedAtUtc { get; init; }

    /// <summary>
    /// The export holds every record of the trail up to <see cref="Through"/> (no filter): a checker then fails on any
    /// gap in its sequence.
    /// </summary>
    public bool Complete { get; init; }

    /// <summary>The chain key that signed it (<see cref="AuditChainKey.Id"/>).</summary>
    public string? KeyId { get; init; }

    public string? Signature { get; init; }

    public AuditExportManifest Signed(AuditChainKey key)
    {
        var named = this with { KeyId = key.Id, Signature = null };
        return named with { Signature = named.ComputeSignature(key.Bytes) };
    }

    /// <summary>Whether one of these keys signed it, and it was not altered since.</summary>
    public bool HasValidSignature(IEnumerable<AuditChainKey> keys) =>
        Signature is { Length: 64 } signature && keys.FirstOrDefault(k => k.Id == KeyId) is { } key &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ComputeSignature(key.Bytes)), Encoding.ASCII.GetBytes(signature));

    private string ComputeSignature(ReadOnlySpan<byte> key)
    {
        var unsigned = JsonSerializer.SerializeToElement(this with { Signature = null }, Json);
        var text = new StringBuilder();
        CanonicalJson.Write(WithoutSignature(unsigned), text);
        return AuditChain.Sign(key, text.ToString());
    }

    private static JsonElement WithoutSignature(JsonElement manifest)
    {
        var members = manifest.EnumerateObject().Where(m => m.Name != "signature").ToDictionary(m => m.Name, m => m.Value);
        return JsonSerializer.SerializeToElement(members);
    }
}
