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

    public required long Count { get; init; }

    public long? FirstSequence { get; init; }

    /// <summary>The <c>prevHash</c> of the first record: where the exported chain attaches to the trail.</summary>
    public string? FirstPrevHash { get; init; }

    public long? LastSequence { get; init; }

    public string? LastHash { get; init; }

    /// <summary>SHA-256 (hex) of the export's bytes exactly as served.</summary>
    public required string ContentSha256 { get; init; }

    public required DateTime GeneratedAtUtc { get; init; }

    public string? Signature { get; init; }

    public AuditExportManifest Signed(ReadOnlySpan<byte> key) => this with { Signature = ComputeSignature(key) };

    public bool HasValidSignature(ReadOnlySpan<byte> key) =>
        Signature is { Length: 64 } signature &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ComputeSignature(key)), Encoding.ASCII.GetBytes(signature));

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
