using System.Text.Json;

namespace Shield.Tests.Infrastructure;

/// <summary>One syslog message as a receiver got it: its RFC 5424 header fields and its body.</summary>
public sealed record SyslogLine(int Priority, string Timestamp, string Host, string App, string MessageId, string Body)
{
    /// <summary>Reads <c>&lt;PRI&gt;1 TIMESTAMP HOST APP PROCID MSGID SD BODY</c>, where SD is "-".</summary>
    public static SyslogLine Parse(string line)
    {
        var parts = line.Split(' ', 8);
        Assert.True(parts.Length == 8 && parts[0].StartsWith('<') && parts[0].EndsWith(">1", StringComparison.Ordinal) && parts[6] == "-", $"Not an RFC 5424 message: {line}");
        return new SyslogLine(int.Parse(parts[0][1..^2], System.Globalization.CultureInfo.InvariantCulture), parts[1], parts[2], parts[3], parts[5], parts[7]);
    }

    public bool IsAnchor => MessageId == "audit.checkpoint";

    /// <summary>The record's or the anchor's sequence, from an OCSF body.</summary>
    public long Sequence => JsonDocument.Parse(Body).RootElement.GetProperty("metadata").GetProperty("sequence").GetInt64();
}
