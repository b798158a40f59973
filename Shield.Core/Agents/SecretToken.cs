using System.Security.Cryptography;
using System.Text;

namespace Shield.Core.Agents;

/// <summary>
/// The random credentials Shield issues: 256 random bits, base64url, behind a prefix that secret scanners recognise
/// (<c>shk_</c> agent keys, <c>shs_</c> session tokens). Only their SHA-256 is stored.
/// </summary>
public static class SecretToken
{
    public const string AgentKeyPrefix = "shk_";
    public const string SessionPrefix = "shs_";

    /// <summary>How many base64url characters follow the prefix: 256 bits without padding.</summary>
    public const int BodyLength = 43;

    public static string New(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lowercase hex SHA-256 of the token as presented.</summary>
    public static string Hash(string token)
    {
        Span<byte> bytes = stackalloc byte[304];
        Span<byte> hash = stackalloc byte[32];
        var length = Encoding.UTF8.GetBytes(token.AsSpan(0, Math.Min(token.Length, 100)), bytes);
        SHA256.HashData(bytes[..length], hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>A well-formed token: the prefix and <see cref="BodyLength"/> base64url characters.</summary>
    public static bool LooksLike(string? token, string prefix) =>
        token?.Length == prefix.Length + BodyLength && token.StartsWith(prefix, StringComparison.Ordinal)
        && token.AsSpan(prefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    /// <summary>The shape <see cref="LooksLike"/> accepts, in words, for messages that refuse another.</summary>
    public static string Shape(string prefix) =>
        $"{prefix} followed by {BodyLength} characters of A-Z, a-z, 0-9, - and _ ({prefix.Length + BodyLength} characters in all)";
}
