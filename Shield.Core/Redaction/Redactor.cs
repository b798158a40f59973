using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shield.Core.Redaction;

/// <summary>
/// Masks secrets and personal data in a call's arguments before anyone reads them: the values of keys with secret-like
/// names (password, token, secret, api key, authorization, cookie…), values that look like credentials (JWTs,
/// well-known key prefixes, PEM blocks, long high-entropy strings), email addresses, card numbers (Luhn-checked), IBANs
/// (checksum-checked), phone numbers, and an administrator's own keys and patterns. Each mask names what it hid:
/// <c>[REDACTED:email]</c>. Pure and thread-safe: build one per rule set and share it.
/// </summary>
public sealed partial class Redactor
{
    // A key is secret when its name (lower case, letters and digits only) contains one of these...
    private static readonly string[] SecretKeyParts =
    [
        "password", "passwd", "passphrase", "secret", "apikey", "accesskey", "privatekey", "authorization", "cookie",
        "credential", "signature", "bearer",
    ];

    // ...or ends with one of these ("accesstoken" is a secret, "maxtokens" is not).
    private static readonly string[] SecretKeyEndings = ["token", "pwd", "pin", "otp", "ssn", "auth", "sessionid"];

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly string[] _secretKeys;
    private readonly (string Name, Regex Regex)[] _patterns;

    public Redactor(RedactionRules rules)
    {
        _secretKeys = [.. SecretKeyParts, .. rules.Keys.Select(Normalize).Where(k => k.Length > 0)];
        _patterns = [.. rules.Patterns.Select(p => (p.Name, Compile(p.Regex)))];
    }

    public static Redactor Default { get; } = new(RedactionRules.None);

    /// <summary>The arguments as JSON with every detected secret and personal datum masked; null stays null.</summary>
    public string? Redact(JsonElement? arguments)
    {
        if (arguments is not { ValueKind: not JsonValueKind.Undefined } value)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, value, secretKey: false);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One string with every detected secret and personal datum masked.</summary>
    public string RedactText(string text)
    {
        try
        {
            return Mask(text);
        }
        catch (RegexMatchTimeoutException)
        {
            // Text built to make a detector take too long is hidden whole: deny when unsure.
            return "[REDACTED:unchecked]";
        }
    }

    private string Mask(string text)
    {
        if (PemBlock().IsMatch(text))
        {
            text = PemBlock().Replace(text, "[REDACTED:private-key]");
        }

        // "password=hunter2", "api_key: abc", "Authorization: Bearer abc" inside free text: the value under a secret-like name.
        if (text.AsSpan().ContainsAny(':', '='))
        {
            text = KeyValue().Replace(text, m => IsSecretKey(m.Groups["key"].Value) ? m.Groups["key"].Value + m.Groups["sep"].Value + "[REDACTED:secret]" : m.Value);
        }

        text = Jwt().Replace(text, "[REDACTED:jwt]");
        text = KnownKey().Replace(text, "[REDACTED:api-key]");
        if (text.Contains('@', StringComparison.Ordinal))
        {
            // Only where an @ stands: the local part's bounded run would otherwise be tried at every position.
            text = Email().Replace(text, "[REDACTED:email]");
        }

        text = Iban().Replace(text, m => IsIban(m.Value) ? "[REDACTED:iban]" : m.Value);
        text = CardNumber().Replace(text, m => IsLuhn(m.Value) ? "[REDACTED:card]" : m.Value);
        text = Phone().Replace(text, m => Digits(m.Value) is >= 8 and <= 15 && !IsoDate().IsMatch(m.Value) ? "[REDACTED:phone]" : m.Value);
        text = Opaque().Replace(text, m => IsHighEntropy(m.Value) ? "[REDACTED:secret]" : m.Value);
        foreach (var (name, regex) in _patterns)
        {
            try
            {
                text = ReplaceOutsideMasks(text, regex, $"[REDACTED:{name}]");
            }
            catch (RegexMatchTimeoutException)
            {
                // A pattern that cannot decide in time hides the whole value: deny when unsure.
                return $"[REDACTED:{name}]";
            }
        }

        return text;
    }

    // An administrator's pattern never rewrites a mask already made: "[A-Z]{3,}" must not turn [REDACTED:email] into
    // [[REDACTED:caps]:email].
    private static string ReplaceOutsideMasks(string text, Regex pattern, string mask)
    {
        if (!text.Contains("[REDACTED:", StringComparison.Ordinal))
        {
            return pattern.Replace(text, mask);
        }

        var result = new StringBuilder();
        var start = 0;
        foreach (Match made in MadeMask().Matches(text))
        {
            result.Append(pattern.Replace(text[start..made.Index], mask)).Append(made.Value);
            start = made.Index + made.Length;
        }

        return result.Append(pattern.Replace(text[start..], mask)).ToString();
    }

    private void Write(Utf8JsonWriter writer, JsonElement value, bool secretKey)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(RedactText(property.Name)); // a key can be a datum too: {"ada@example.com": 1}
                    Write(writer, property.Value, secretKey || IsSecretKey(property.Name));
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item, secretKey);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String when secretKey:
            case JsonValueKind.Number when secretKey:
                writer.WriteStringValue("[REDACTED:secret]");
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(RedactText(value.GetString()!));
                break;
            case JsonValueKind.Number:
                var digits = value.GetRawText();
                var masked = RedactText(digits);
                if (masked == digits)
                {
                    writer.WriteRawValue(digits);
                }
                else
                {
                    writer.WriteStringValue(masked);
                }

                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    private bool IsSecretKey(string name)
    {
        var key = Normalize(name);
        return _secretKeys.Any(part => key.Contains(part, StringComparison.Ordinal)) || SecretKeyEndings.Any(end => key.EndsWith(end, StringComparison.Ordinal));
    }

    /// <summary>A key name as keys are compared: its letters and digits, in lower case (<c>API_Key</c> is <c>apikey</c>).</summary>
    internal static string Normalize(string key) => new([.. key.ToLowerInvariant().Where(char.IsLetterOrDigit)]);

    /// <summary>An administrator's pattern as the redactor runs it: culture-invariant, bounded by the match timeout.</summary>
    internal static Regex Compile(string pattern) => new(pattern, RegexOptions.CultureInvariant, MatchTimeout);

    private static int Digits(string text) => text.Count(char.IsAsciiDigit);

    private static bool IsLuhn(string text)
    {
        var digits = text.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            sum += i % 2 == 1 ? (d * 2 > 9 ? (d * 2) - 9 : d * 2) : d;
        }

        return sum % 10 == 0;
    }

    private static bool IsIban(string text)
    {
        var compact = new string([.. text.Where(c => c != ' ')]);
        if (compact.Length is < 15 or > 34)
        {
            return false;
        }

        var rearranged = compact[4..] + compact[..4];
        var remainder = 0;
        foreach (var c in rearranged)
        {
            var value = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetterUpper(c) ? c - 'A' + 10 : -1;
            if (value < 0)
            {
                return false;
            }

            remainder = value > 9 ? ((remainder * 100) + value) % 97 : ((remainder * 10) + value) % 97;
        }

        return remainder == 1;
    }

    // Long runs of letters, digits and token punctuation that look random (about 4 bits per character or more).
    private static bool IsHighEntropy(string text)
    {
        Span<int> counts = stackalloc int[128];
        foreach (var c in text)
        {
            counts[c & 127]++;
        }

        var entropy = 0.0;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                var p = (double)count / text.Length;
                entropy -= p * Math.Log2(p);
            }
        }

        // Hex has 16 symbols, so at most 4 bits per character: a random hex key is judged by its own alphabet.
        if (text.All(char.IsAsciiHexDigit))
        {
            return entropy >= 3.0 && text.Any(char.IsAsciiDigit) && text.Any(char.IsAsciiLetter);
        }

        var classes = (text.Any(char.IsAsciiDigit) ? 1 : 0) + (text.Any(char.IsAsciiLetterLower) ? 1 : 0) + (text.Any(char.IsAsciiLetterUpper) ? 1 : 0);
        return entropy >= 4.0 && classes >= 2;
    }

    [GeneratedRegex(@"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\s\S]{0,16384}?(-----END [A-Z ]{0,40}PRIVATE KEY-----|$)", RegexOptions.CultureInvariant, 100)]
    private static partial Regex PemBlock();

    [GeneratedRegex(@"\beyJ[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{5,8192}\.[A-Za-z0-9_-]{0,8192}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Jwt();

    [GeneratedRegex("""(?<![A-Za-z0-9_.-])(?<key>[A-Za-z][A-Za-z0-9_.-]{0,63})(?<sep>\s*[:=]\s*)(?<value>"[^"\r\n]{0,1024}"|'[^'\r\n]{0,1024}'|(?:(?:[Bb]earer|BEARER|[Bb]asic|BASIC|[Tt]oken|TOKEN)\s+)?[^\s,;&"']{1,1024})""", RegexOptions.CultureInvariant, 100)]
    private static partial Regex KeyValue();

    [GeneratedRegex(@"\b(sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|glpat-[A-Za-z0-9_-]{20}|sh[sk]_[A-Za-z0-9_-]{20,})", RegexOptions.CultureInvariant, 100)]
    private static partial Regex KnownKey();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Email();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Iban();

    [GeneratedRegex(@"\b\d(?:[ -]?\d){12,18}\b", RegexOptions.CultureInvariant, 100)]
    private static partial Regex CardNumber();

    // International (+…), North American ((555) 123-4567, 555-123-4567) and national trunk (020 7946 0958) forms: bare
    // digit runs are left alone, since identifiers and amounts look the same.
    [GeneratedRegex(@"(?<![\w+])(?:\+\d[\d ()-]{6,20}\d|\(?\d{3}\)?[ -]\d{3}[ -]\d{4}|0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4})\b", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Phone();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"[A-Za-z0-9+/_=-]{32,}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Opaque();

    [GeneratedRegex(@"\[REDACTED:[a-z0-9-]{1,64}\]", RegexOptions.CultureInvariant, 100)]
    private static partial Regex MadeMask();
}
