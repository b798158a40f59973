using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Shield.Core.Json;

/// <summary>
/// Canonical JSON in the manner of RFC 8785 (JCS): object members sorted by their UTF-16 code units, no insignificant
/// whitespace, minimal string escaping, numbers in their shortest round-trip form. Equal documents give equal text,
/// so hashes over it (tool fingerprints, audit records) do not depend on how a peer formatted or ordered its JSON.
/// </summary>
public static class CanonicalJson
{
    public static string Serialize(JsonElement element)
    {
        var text = new StringBuilder();
        Write(element, text);
        return text.ToString();
    }

    public static void Write(JsonElement element, StringBuilder text)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                text.Append('{');
                var first = true;
                foreach (var member in element.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        text.Append(',');
                    }

                    first = false;
                    WriteString(member.Name, text);
                    text.Append(':');
                    Write(member.Value, text);
                }

                text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (index++ > 0)
                    {
                        text.Append(',');
                    }

                    Write(item, text);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(element.GetString()!, text);
                break;
            case JsonValueKind.Number:
                WriteNumber(element, text);
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            default:
                text.Append("null");
                break;
        }
    }

    public static void WriteString(string value, StringBuilder text)
    {
        text.Append('"');
        if (!NeedsEscaping(value))
        {
            text.Append(value).Append('"');
            return;
        }

        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }

    private static bool NeedsEscaping(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 || c == '"' || c == '\\')
            {
                return true;
            }
        }

        return false;
    }

    // Integers print as digits; other numbers as the shortest form that round-trips, in ECMAScript's notation.
    private static void WriteNumber(JsonElement element, StringBuilder text)
    {
        if (element.TryGetInt64(out var integer))
        {
            text.Append(integer.ToString(CultureInfo.InvariantCulture));
            return;
        }

        var number = element.GetDouble();
        if (!double.IsFinite(number))
        {
            // Beyond double range: keep the number as written rather than emit Infinity, which is not JSON.
            text.Append(element.GetRawText());
            return;
        }

        if (number == Math.Floor(number) && Math.Abs(number) < 1e21)
        {
            text.Append(number.ToString("F0", CultureInfo.InvariantCulture));
            return;
        }

        var shortest = number.ToString("R", CultureInfo.InvariantCulture);
        var exponent = shortest.IndexOf('E', StringComparison.Ordinal);
        if (exponent < 0)
        {
            text.Append(shortest);
            return;
        }

        var power = int.Parse(shortest.AsSpan(exponent + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = shortest[..exponent];
        if (power is >= -6 and < 0)
        {
            // ECMAScript writes 0.000001 where .NET writes 1E-06.
            var negative = mantissa.StartsWith('-');
            var digits = mantissa.TrimStart('-').Replace(".", "", StringComparison.Ordinal);
            text.Append(negative ? "-0." : "0.").Append('0', -power - 1).Append(digits);
            return;
        }

        // .NET writes 1E+21 and 1E-07; ECMAScript writes 1e+21 and 1e-7.
        text.Append(mantissa).Append('e').Append(power < 0 ? '-' : '+').Append(Math.Abs(power).ToString(CultureInfo.InvariantCulture));
    }
}
