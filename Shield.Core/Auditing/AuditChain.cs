using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Shield.Core.Json;

namespace Shield.Core.Auditing;

/// <summary>
/// How records are chained. A record's hash is the SHA-256 (lower-case hex) of its canonical form: a JSON object of
/// every field but <c>hash</c>, camel-cased, keys in ordinal order, nulls kept, no whitespace, strings escaped as in
/// RFC 8785, times as <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, and integers only. The export writes records with exactly
/// these names and values, so anyone can recompute the chain with a JSON canonicaliser and SHA-256.
/// A record's <c>seal</c> is the HMAC-SHA256 of its hash under the chain key, a secret held outside the database:
/// whoever can write the database can recompute hashes, but cannot seal what they wrote (docs/decisions/0010).
/// </summary>
public static class AuditChain
{
    /// <summary>The <c>prevHash</c> of the first record ever written.</summary>
    public static readonly string Genesis = new('0', 64);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Gives the record its place in the chain, its hash and, under a chain key, its seal.</summary>
    public static void Link(AuditRecord record, long sequence, string prevHash, AuditChainKey? key = null)
    {
        record.Sequence = sequence;
        record.PrevHash = prevHash;
        record.Hash = ComputeHash(record);
        record.Seal = key is null ? null : Seal(key, record.Hash);
    }

    /// <summary>The seal of a record with this hash: HMAC-SHA256 under the chain key of <c>shield-audit-seal:</c> and the hash, lower-case hex.</summary>
    public static string Seal(AuditChainKey key, string hash) => key.Mac(SealPrefix, hash);

    /// <summary>Whether the record carries the seal the key gives its hash.</summary>
    public static bool HasValidSeal(AuditChainKey key, AuditRecord record) =>
        record.Seal is { Length: 64 } seal && record.Hash.Length == 64 && SameText(Seal(key, record.Hash), seal);

    /// <summary>Compares two signatures in constant time.</summary>
    public static bool SameText(string expected, string? actual) =>
        actual is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(actual));

    private static ReadOnlySpan<byte> SealPrefix => "shield-audit-seal:"u8;

    public static string ComputeHash(AuditRecord record)
    {
        var text = Write(record, Builder());
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            // One encoder across the builder's chunks: a chunk may end inside a surrogate pair.
            var encoder = Utf8.GetEncoder();
            var length = 0;
            foreach (var chunk in text.GetChunks())
            {
                length += encoder.GetBytes(chunk.Span, bytes.AsSpan(length), flush: false);
            }

            length += encoder.GetBytes([], bytes.AsSpan(length), flush: true);

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public static string CanonicalText(AuditRecord record) => Write(record, new StringBuilder(512)).ToString();

    // The writer hashes thousands of records a second on one thread: reuse one builder per thread.
    [ThreadStatic]
    private static StringBuilder? _builder;

    private static StringBuilder Builder() => (_builder ??= new StringBuilder(1024)).Clear();

    private static StringBuilder Write(AuditRecord record, StringBuilder text)
    {
        text.Append('{');
        var fields = AuditFields.All;
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append('"').Append(field.Name).Append("\":");
            if (field.Kind == AuditFieldKind.Integer)
            {
                text.Append(field.IntegerOf(record) is { } number ? number.ToString(CultureInfo.InvariantCulture) : "null");
            }
            else if (field.ValueOf(record) is { } value)
            {
                CanonicalJson.WriteString(value, text);
            }
            else
            {
                text.Append("null");
            }
        }

        return text.Append('}');
    }

    /// <summary>The record as one JSON object: its canonical form with <c>hash</c> and <c>seal</c> added.</summary>
    public static void WriteJson(AuditRecord record, StringBuilder text)
    {
        Write(record, text);
        text.Length--; // the closing brace
        text.Append(",\"hash\":");
        CanonicalJson.WriteString(record.Hash, text);
        text.Append(",\"seal\":");
        if (record.Seal is { } seal)
        {
            CanonicalJson.WriteString(seal, text);
        }
        else
        {
            text.Append("null");
        }

        text.Append('}');
    }

    public static string Time(DateTime atUtc) => atUtc.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>
    /// The time cut to whole microseconds, the finest every supported database keeps (PostgreSQL keeps no more): what
    /// is hashed or signed must read back from the store exactly as it was.
    /// </summary>
    public static DateTime Storable(DateTime atUtc) => new(atUtc.Ticks - atUtc.Ticks % TimeSpan.TicksPerMicrosecond, atUtc.Kind);

    public static string? Id(Guid? id) => id?.ToString("D");

    /// <summary>The text a checkpoint's signature covers.</summary>
    public static string CheckpointText(long sequence, string hash, DateTime atUtc) =>
        string.Create(CultureInfo.InvariantCulture, $"shield-audit-checkpoint:{sequence}:{hash}:{Time(atUtc)}");

    public static string Sign(ReadOnlySpan<byte> key, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));

    public static bool HasValidSignature(ReadOnlySpan<byte> key, AuditCheckpoint checkpoint) =>
        SameText(Sign(key, CheckpointText(checkpoint.Sequence, checkpoint.Hash, checkpoint.AtUtc)), checkpoint.Signature);
}
