using Shield.Core.Auditing;

namespace Shield.Console.Auditing;

/// <summary>
/// Reads the chain key from <c>Shield:Audit:KeyFile</c>: base64 text of at least 32 bytes, or at least 32 raw bytes.
/// </summary>
internal static class AuditKeyFile
{
    public static byte[] Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var text = System.Text.Encoding.ASCII.GetString(bytes).Trim();
        var decoded = new byte[text.Length];
        return Convert.TryFromBase64String(text, decoded, out var length) && length >= AuditChainKey.MinimumLength
            ? decoded[..length]
            : bytes;
    }

    /// <summary>Why the file cannot serve as the chain key, or null when it can.</summary>
    public static string? Problem(string path)
    {
        try
        {
            return Read(path).Length < AuditChainKey.MinimumLength
                ? $"it holds fewer than {AuditChainKey.MinimumLength} bytes"
                : null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return error.Message;
        }
    }
}
