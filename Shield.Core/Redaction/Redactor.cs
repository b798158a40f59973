using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shield.Core.Redaction;

/// <summary>
/// Masks secrets and personal data in a call's arguments before anyone reads them: the values of keys whose names say
/// they are secret (<see cref="SecretKeyName"/>), JSON written inside a string value, credentials in URLs, values that
/// look like credentials (JWTs, well-known key prefixes, PEM blocks, long high-entropy strings), email addresses, US
/// social security numbers, card numbers (Luhn-checked, in text or as a JSON number in any notation), IBANs
/// (checksum-checked, any case), phone numbers, and an administrator's own keys and patterns. No detector has a length
/// limit a longer secret could slip past. Each mask names what it hid: <c>[REDACTED:email]</c>. Pure and thread-safe:
/// build one per rule set and share it.
/// </summary>
public sealed partial class Redactor
{
    private const string SecretMask = "[REDACTED:secret]";

    private const string Unchecked = "[REDACTED:unchecked]";

    // A name before a separator in text is at most this long: a longer run of name characters is judged by its end.
    private const int MaxNameLength = 128;

    // JSON inside a string inside a string…: past this depth the text detectors alone apply.
    private const int MaxNesting = 8;

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Authorization schemes written before the credential: "Authorization: Bearer abc" masks the scheme and "abc".
    private static readonly string[] Schemes = ["bearer", "basic", "token", "digest", "negotiate", "bot", "apikey"];

    private static readonly SearchValues<char> ValueDelimiters = SearchValues.Create(" \t\r\n\f\v,;&\"'");

    private readonly SearchValues<string>? _ownKeys;
    private readonly (string Name, Regex Regex)[] _patterns;

    public Redactor(RedactionRules rules)
    {
        string[] own = [.. rules.Keys.Select(Normalize).Where(k => k.Length > 0)];
        _ownKeys = own.Length == 0 ? null : SearchValues.Create(own, StringComparison.Ordinal);
        _patterns = [.. rules.Patterns.Select(p => (p.Name, Compile(p.Regex)))];
    }

    public static Redactor Default { get; } = new(RedactionRules.None);

    /// <summary>Whether <paramref name="text"/> holds a mask this redactor makes (<c>[REDACTED:email]</c>): something was hidden there.</summary>
    public static bool HoldsMask(string text) => text.Contains("[REDACTED:", StringComparison.Ordinal);

    /// <summary>The arguments as JSON with every detected secret and personal datum masked; null stays null.</summary>
    public string? Redact(JsonElement? arguments) =>
        arguments is { ValueKind: not JsonValueKind.Undefined } value ? RedactJson(value, nesting: 0) : null;

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
            return Unchecked;
        }
    }

    private string RedactJson(JsonElement value, int nesting)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            Write(writer, value, secretKey: false, nesting);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private void Write(Utf8JsonWriter writer, JsonElement value, bool secretKey, int nesting)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(RedactText(property.Name)); // a key can be a datum too: {"ada@example.com": 1}
                    Write(writer, property.Value, secretKey || IsSecretKey(property.Name), nesting);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item, secretKey, nesting);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String when secretKey:
            case JsonValueKind.Number when secretKey:
                writer.WriteStringValue(SecretMask);
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(RedactString(value.GetString()!, nesting));
                break;
            case JsonValueKind.Number:
                var number = value.GetRawText();
                if ((number.Length >= 13 || number.AsSpan().ContainsAny('e', 'E'))
                    && ValueChecks.WholeNumberDigits(number) is { Length: >= 13 and <= 19 } digits && ValueChecks.IsLuhn(digits))
                {
                    writer.WriteStringValue("[REDACTED:card]");
                }
                else if (RedactText(number) is var masked && masked != number)
                {
                    writer.WriteStringValue(masked);
                }
                else
                {
                    writer.WriteRawValue(number);
                }

                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    // A string that holds JSON ("{\"password\":\"…\"}") is redacted as JSON, so its keys count; other text by the detectors.
    private string RedactString(string text, int nesting)
    {
        var trimmed = text.AsSpan().Trim();
        if (nesting < MaxNesting && trimmed is ['{', .., '}'] or ['[', .., ']'])
        {
            try
            {
                using var nested = JsonDocument.Parse(text);
                return RedactJson(nested.RootElement, nesting + 1);
            }
            catch (JsonException)
            {
                // Not JSON after all: it is text.
            }
        }

        return RedactText(text);
    }

    private string Mask(string text)
    {
        if (text.Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            text = MaskPrivateKeys(text);
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            // scheme://user:password@host, whatever the host: the whole user information is the credential.
            text = UrlCredentials().Replace(text, "://[REDACTED:credentials]@");
        }

        if (text.Contains("eyJ", StringComparison.Ordinal))
        {
            text = Jwt().Replace(text, "[REDACTED:jwt]");
        }

        text = KnownKey().Replace(text, "[REDACTED:api-key]");
        if (text.Contains('@', StringComparison.Ordinal))
        {
            // Only where an @ stands: the local part's bounded run would otherwise be tried at every position.
            text = Email().Replace(text, "[REDACTED:email]");
        }

        if (text.AsSpan().ContainsAnyInRange('0', '9'))
        {
            // Numbers of people, accounts and cards: only text with a digit can hold one.
            var numbers = text;
            text = Ssn().Replace(numbers, m => IsPartOfALongerNumber(numbers, m) ? m.Value : "[REDACTED:ssn]");
            text = MaskIbans(text);
            text = CardNumber().Replace(text, m => ValueChecks.IsLuhn(m.ValueSpan) ? "[REDACTED:card]" : m.Value);
            text = Phone().Replace(text, m => Digits(m.Value) is >= 8 and <= 15 && !IsoDate().IsMatch(m.Value) ? "[REDACTED:phone]" : m.Value);
        }

        // "password=hunter2", "api_key: abc", "\"token\": \"abc\"", "Authorization: Bearer abc" inside free text. After the
        // detectors of data with spaces in it, so "ssn: 123 45 6789" is masked whole, not up to its first space.
        if (text.AsSpan().ContainsAny(':', '='))
        {
            text = MaskKeyValues(text);
        }

        text = Opaque().Replace(text, m => ValueChecks.IsHighEntropy(m.Value) ? SecretMask : m.Value);
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

    // From each BEGIN line to its END line, or to the end of the text when the END is missing, however long the key.
    private static string MaskPrivateKeys(string text)
    {
        var masked = new StringBuilder(text.Length);
        var copied = 0;
        for (var begin = PemBegin().Match(text); begin.Success; begin = PemBegin().Match(text, copied))
        {
            var end = PemEnd().Match(text, begin.Index + begin.Length);
            masked.Append(text, copied, begin.Index - copied).Append("[REDACTED:private-key]");
            copied = end.Success ? end.Index + end.Length : text.Length;
        }

        return copied == 0 ? text : masked.Append(text, copied, text.Length - copied).ToString();
    }

    // The value after a secret-like name, to its real end: a quoted value to its closing quote, a bracketed one to its
    // closing bracket, anything else to the next space or delimiter, however long. Found from each separator (: = :=
    // =>) back to its name (one or two words, quoted or not), so every character is looked at a bounded number of times
    // however the text is built. A name that is not secret is passed over by its separator only, so
    // "a=password=hunter2" still masks hunter2.
    private string MaskKeyValues(string text)
    {
        StringBuilder? masked = null;
        var copied = 0;
        var at = 0;
        while (at < text.Length && text.AsSpan(at).IndexOfAny(':', '=') is var found and >= 0)
        {
            var separator = at + found;
            var start = ValueStart(text, separator);
            // A mask already made ("[REDACTED:email]") is never a name, whatever an administrator's keys.
            var made = text.AsSpan(0, separator).EndsWith("[REDACTED", StringComparison.Ordinal);
            var end = !made && IsSecretKey(NameBefore(text, separator)) ? ValueEnd(text, start) : start;
            if (end > start)
            {
                masked ??= new StringBuilder(text.Length);
                masked.Append(text, copied, start - copied).Append(SecretMask);
                copied = end;
            }

            at = Math.Max(end, separator + 1);
        }

        return masked is null ? text : masked.Append(text, copied, text.Length - copied).ToString();
    }

    // The name before a separator: spaces and a closing quote (\" too) skipped, then one word, or two with one space between.
    private static ReadOnlySpan<char> NameBefore(string text, int separator)
    {
        var end = separator;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        if (end > 0 && text[end - 1] is '"' or '\'')
        {
            end -= end > 1 && text[end - 2] == '\\' ? 2 : 1;
        }

        var start = WordStart(text, end);
        if (start < end && start > 1 && text[start - 1] == ' ' && IsNameCharacter(text[start - 2]))
        {
            start = WordStart(text, start - 1);
        }

        return text.AsSpan(start, end - start);
    }

    // Where the word ending at end starts, looking back at most MaxNameLength characters.
    private static int WordStart(string text, int end)
    {
        var start = end;
        while (start > 0 && end - start < MaxNameLength && IsNameCharacter(text[start - 1]))
        {
            start--;
        }

        return start;
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    // After ":", "=", ":=" or "=>" and the spaces that follow.
    private static int ValueStart(string text, int separator)
    {
        var start = separator + 1;
        if (start < text.Length && (text[separator], text[start]) is (':', '=') or ('=', '>'))
        {
            start++;
        }

        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        return start;
    }

    private static int ValueEnd(string text, int start)
    {
        var rest = text.AsSpan(start);
        if (rest.IsEmpty)
        {
            return start;
        }

        if (rest[0] is '"' or '\'' || (rest is ['\\', '"' or '\'', ..]))
        {
            var quote = rest[0] == '\\' ? rest[..2] : rest[..1];
            var close = ClosingQuote(rest[quote.Length..], quote);
            return close < 0 ? start + LineLength(rest) : start + quote.Length + close + quote.Length;
        }

        if (rest[0] is '{' or '[')
        {
            return start + ClosingBracket(rest);
        }

        var value = 0;
        foreach (var scheme in Schemes)
        {
            if (rest.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && rest.Length > scheme.Length && rest[scheme.Length] is ' ' or '\t')
            {
                value = scheme.Length + rest[scheme.Length..].IndexOfAnyExcept(' ', '\t');
                break;
            }
        }

        var run = rest[value..].IndexOfAny(ValueDelimiters);
        return run < 0 ? text.Length : start + value + run;
    }

    // Where the quote closes (backslash escapes skipped), or -1 when the line ends first.
    private static int ClosingQuote(ReadOnlySpan<char> text, ReadOnlySpan<char> quote)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '\n' or '\r')
            {
                return -1;
            }

            if (text[i..].StartsWith(quote, StringComparison.Ordinal))
            {
                return i;
            }

            if (text[i] == '\\')
            {
                i++;
            }
        }

        return -1;
    }

    // Past the bracket that closes the first one (brackets inside quotes ignored), or the whole text when none does.
    private static int ClosingBracket(ReadOnlySpan<char> text)
    {
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']' && --depth == 0)
            {
                return i + 1;
            }
        }

        return text.Length;
    }

    private static int LineLength(ReadOnlySpan<char> text) => text.IndexOfAny('\r', '\n') is var end and >= 0 ? end : text.Length;

    // 123-45-6789 inside 1-123-45-6789-0 is part of another number, not a social security number.
    private static bool IsPartOfALongerNumber(string text, Match match) =>
        (match.Index > 0 && text[match.Index - 1] == '-') || (match.Index + match.Length < text.Length && text[match.Index + match.Length] == '-');

    // Found from the check digits back to the country code, so the search skips straight to digits. A spaced IBAN's
    // last group may be a word of the sentence: groups are dropped from the end until the checksum holds.
    private static string MaskIbans(string text)
    {
        StringBuilder? masked = null;
        var copied = 0;
        foreach (Match digits in Iban().Matches(text))
        {
            var start = digits.Index - 2;
            var candidate = text[start..(digits.Index + digits.Length)];
            while (candidate.Length >= 15 && !ValueChecks.IsIban(candidate))
            {
                candidate = candidate.LastIndexOf(' ') is var space and > 0 ? candidate[..space] : "";
            }

            if (candidate.Length >= 15 && start >= copied)
            {
                masked ??= new StringBuilder(text.Length);
                masked.Append(text, copied, start - copied).Append("[REDACTED:iban]");
                copied = start + candidate.Length;
            }
        }

        return masked is null ? text : masked.Append(text, copied, text.Length - copied).ToString();
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

    // The value under a key of this name is masked whole: by the built-in rule, or as holding an administrator's key.
    private bool IsSecretKey(ReadOnlySpan<char> name) => SecretKeyName.IsSecret(name, _ownKeys);

    /// <summary>A key name as administrators' keys are compared: its letters and digits, in lower case (<c>API_Key</c> is <c>apikey</c>).</summary>
    internal static string Normalize(string key) => new([.. key.ToLowerInvariant().Where(char.IsLetterOrDigit)]);

    /// <summary>An administrator's pattern as the redactor runs it: culture-invariant, bounded by the match timeout.</summary>
    internal static Regex Compile(string pattern) => new(pattern, RegexOptions.CultureInvariant, MatchTimeout);

    private static int Digits(string text) => text.Count(char.IsAsciiDigit);

    [GeneratedRegex(@"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----", RegexOptions.CultureInvariant, 100)]
    private static partial Regex PemBegin();

    [GeneratedRegex(@"-----END [A-Z ]{0,40}PRIVATE KEY-----", RegexOptions.CultureInvariant, 100)]
    private static partial Regex PemEnd();

    // After a scheme's "://", greedy to the last @ before the path, so a password holding an @ is masked whole.
    [GeneratedRegex("""(?<=[A-Za-z0-9])://[^\s/?#"'<>]+@""", RegexOptions.CultureInvariant, 100)]
    private static partial Regex UrlCredentials();

    // Anchored at the start of a run of token characters, so a long run is scanned once, not from every "-".
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\b(sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16,}|AIza[0-9A-Za-z_-]{35,}|glpat-[A-Za-z0-9_-]{20,}|sh[sk]_[A-Za-z0-9_-]{20,})", RegexOptions.CultureInvariant, 100)]
    private static partial Regex KnownKey();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Email();

    // US social security numbers as written (123-45-6789, 123 45 6789), without the numbers never issued.
    [GeneratedRegex(@"\b(?!000|666|9\d\d)\d{3}(?<sep>[- ])(?!00)\d{2}\k<sep>(?!0000)\d{4}\b", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Ssn();

    // An IBAN from its check digits on (the country code is looked behind), compact or in groups of four as printed; any
    // case. The country, its length and the checksum decide.
    [GeneratedRegex(@"(?<=\b[A-Za-z]{2})\d{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)\b", RegexOptions.CultureInvariant, 100)]
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
