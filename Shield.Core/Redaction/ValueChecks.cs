using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;

namespace Shield.Core.Redaction;

/// <summary>The checks that tell a detector's match from a look-alike: Luhn for cards, mod 97 for IBANs, entropy for keys.</summary>
internal static class ValueChecks
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    // The length of an IBAN in each country that issues them (the SWIFT IBAN registry): two letters and two digits are
    // too common to go on, and a country's own length cuts look-alikes to a few in thousands before the checksum.
    private static readonly FrozenDictionary<string, int> IbanLengths = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22, ["BH"] = 22, ["BI"] = 27,
        ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28,
        ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18, ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23,
        ["GL"] = 18, ["GR"] = 27, ["GT"] = 28, ["HN"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21,
        ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20, ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28,
        ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24, ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22,
        ["RU"] = 33, ["SA"] = 24, ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25,
        ["SV"] = 28, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20, ["YE"] = 30,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsLuhn(ReadOnlySpan<char> text)
    {
        var count = 0;
        var sum = 0;
        for (var i = text.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(text[i]))
            {
                continue;
            }

            var d = text[i] - '0';
            sum += count++ % 2 == 1 ? (d * 2 > 9 ? (d * 2) - 9 : d * 2) : d;
        }

        return count is >= 13 and <= 19 && sum % 10 == 0;
    }

    /// <summary>An IBAN in any case, with or without the usual spaces: a known country, its length, mod 97 = 1.</summary>
    public static bool IsIban(string text)
    {
        var compact = text.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length < 15 || !IbanLengths.TryGetValue(compact[..2], out var length) || compact.Length != length)
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

    /// <summary>
    /// The digits of a JSON number that is a whole number, whatever its notation (<c>4111111111111111</c>,
    /// <c>4.111111111111111e15</c>, <c>4111111111111111.0</c>), without leading zeros; null for a fraction or an
    /// exponent too large for a card number.
    /// </summary>
    public static string? WholeNumberDigits(string number)
    {
        var text = number.AsSpan().TrimStart('-');
        var exponent = 0;
        if (text.IndexOfAny('e', 'E') is var e and >= 0)
        {
            if (!int.TryParse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent) || Math.Abs(exponent) > 64)
            {
                return null;
            }

            text = text[..e];
        }

        var dot = text.IndexOf('.');
        var digits = dot < 0 ? text.ToString() : string.Concat(text[..dot], text[(dot + 1)..]);
        var shift = exponent - (dot < 0 ? 0 : text.Length - dot - 1);
        if (shift < 0)
        {
            var cut = Math.Min(-shift, digits.Length);
            if (digits.AsSpan(digits.Length - cut).ContainsAnyExcept('0'))
            {
                return null;
            }

            digits = digits[..^cut];
        }
        else if (shift > 0)
        {
            digits += new string('0', shift);
        }

        return digits.TrimStart('0');
    }

    /// <summary>
    /// Whether a long run of letters, digits and token punctuation looks random: about 4 bits per character or more
    /// with mixed character classes, or 3 bits for hex (which has only 16 symbols) with both letters and digits.
    /// </summary>
    public static bool IsHighEntropy(string text)
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

        var span = text.AsSpan();
        var digits = span.ContainsAnyInRange('0', '9');
        if (!span.ContainsAnyExcept(HexDigits))
        {
            return entropy >= 3.0 && digits && span.ContainsAnyExceptInRange('0', '9');
        }

        var classes = (digits ? 1 : 0) + (span.ContainsAnyInRange('a', 'z') ? 1 : 0) + (span.ContainsAnyInRange('A', 'Z') ? 1 : 0);
        return entropy >= 4.0 && classes >= 2;
    }
}
