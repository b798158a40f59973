using System.Buffers;
using System.Globalization;
using System.Text;

namespace Shield.Core.Siem;

/// <summary>
/// One syslog message as RFC 5424 writes it (<c>&lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG</c>),
/// framed by octet counting for TCP and TLS (RFC 6587 §3.4.1, RFC 5425 §4.3): the message's length in bytes, a space,
/// then the message, so a body may hold any character, line breaks too. Facility 13, <em>log audit</em>.
/// </summary>
public static class SyslogFrame
{
    public const int Facility = 13;
    public const string AppName = "shield";

    /// <summary>
    /// Appends one framed message: <paramref name="messageId"/> is the record's event type (at most 32 characters),
    /// <paramref name="body"/> the message in UTF-8.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, int severity, DateTime atUtc, string hostName, string messageId, ReadOnlySpan<byte> body)
    {
        var header = string.Create(CultureInfo.InvariantCulture,
            $"<{Facility * 8 + severity}>1 {atUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)} {Token(hostName, 255)} {AppName} - {Token(messageId, 32)} - ");
        var length = Encoding.ASCII.GetByteCount(header) + body.Length;
        var prefix = length.ToString(CultureInfo.InvariantCulture) + " ";
        Encoding.ASCII.GetBytes(prefix, output);
        Encoding.ASCII.GetBytes(header, output);
        output.Write(body);
    }

    /// <summary>
    /// A header field as RFC 5424 allows it: printable US-ASCII without spaces, at most <paramref name="limit"/>
    /// characters; "-" when nothing is left.
    /// </summary>
    public static string Token(string value, int limit)
    {
        if (value.Length > 0 && value.Length <= limit && !value.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            return value; // already one: the host name and event types, every time
        }

        var token = new string([.. value.Where(c => c is > ' ' and < (char)127).Take(limit)]);
        return token.Length == 0 ? "-" : token;
    }
}
