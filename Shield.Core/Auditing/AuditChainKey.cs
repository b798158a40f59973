using System.Security.Cryptography;

namespace Shield.Core.Auditing;

/// <summary>Where the chain key came from.</summary>
public enum AuditKeySource
{
    /// <summary>A key file configured outside the database (<c>Shield:Audit:KeyFile</c>): what production needs.</summary>
    File,

    /// <summary>The audit key kept in the database: whoever can read the database and its Data Protection keys holds it.</summary>
    Database,
}

/// <summary>
/// A key that seals records and signs checkpoints, anchors and manifests. Its <see cref="Id"/> names it in the trail
/// (the <c>audit.sealing</c> records) without revealing it.
/// </summary>
public sealed class AuditChainKey
{
    // One HMAC whose key is set once: sealing is one short hash per record, not a key schedule each time.
    private readonly HMACSHA256 _mac;

    private AuditChainKey(byte[] bytes, AuditKeySource source)
    {
        Bytes = bytes;
        Source = source;
        Id = IdOf(bytes);
        _mac = new HMACSHA256(bytes);
    }

    public const int MinimumLength = 32;

    public string Id { get; }

    public byte[] Bytes { get; }

    public AuditKeySource Source { get; }

    public static AuditChainKey Of(byte[] bytes, AuditKeySource source) =>
        bytes.Length >= MinimumLength ? new AuditChainKey(bytes, source) : throw new ArgumentException($"A chain key needs at least {MinimumLength} bytes.", nameof(bytes));

    /// <summary>HMAC-SHA256 of <paramref name="text"/> (ASCII) under this key, lower-case hex.</summary>
    internal string Mac(ReadOnlySpan<byte> prefix, string text)
    {
        Span<byte> input = stackalloc byte[prefix.Length + text.Length];
        prefix.CopyTo(input);
        System.Text.Encoding.ASCII.GetBytes(text, input[prefix.Length..]);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        lock (_mac)
        {
            _mac.TryComputeHash(input, mac, out _);
        }

        return Convert.ToHexStringLower(mac);
    }

    /// <summary>The first 16 hex digits of a SHA-256 over the key, with a label so the id is no hash of the key alone.</summary>
    public static string IdOf(ReadOnlySpan<byte> key)
    {
        Span<byte> text = stackalloc byte[IdLabel.Length + key.Length];
        IdLabel.CopyTo(text);
        key.CopyTo(text[IdLabel.Length..]);
        return Convert.ToHexStringLower(SHA256.HashData(text))[..16];
    }

    private static ReadOnlySpan<byte> IdLabel => "shield-audit-key-id:"u8;
}
