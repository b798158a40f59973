using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Shield.Core.Json;

namespace Shield.Core.Auditing;

/// <summary>
/// A keyed fingerprint of a call's arguments: HMAC-SHA256, under Shield's audit key, of their canonical JSON (RFC
/// 8785). Equal arguments give equal fingerprints however they were formatted, so an auditor can match calls, while
/// nobody without the key can test guesses of what the arguments were.
/// </summary>
public static class ArgumentsFingerprint
{
    public static string Of(ReadOnlySpan<byte> key, JsonElement? arguments)
    {
        var canonical = arguments is { } value ? CanonicalJson.Serialize(value) : "null";
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(canonical)));
    }
}
