using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Shield.Console.Outbound;

/// <summary>
/// One destination rule: an address or CIDR range, or a host name as written in a server's URL, with an optional port.
/// Where several rules match, the most specific decides: a host name over any range, a narrower range over a wider
/// one, a rule with a port over one without; of two equally specific, the refusing one.
/// </summary>
internal sealed record OutboundRule(string Entry, bool Allows, IPNetwork? Network, string? Host, int? Port, string Why)
{
    private const string Examples = "write an address, a CIDR range or a host name, optionally with a port: 169.254.10.5, 10.0.0.0/8, [fd00::1]:8443, crm.internal:443.";

    /// <summary>Why <paramref name="entry"/> is not a rule, or null.</summary>
    public static string? Problem(string? entry) => TryParse(entry, allows: true, out _, out var problem) ? null : problem;

    /// <summary>An entry of <c>Shield:Outbound:Allow</c> or <c>Deny</c>, already validated at start.</summary>
    public static OutboundRule Configured(string entry, bool allows) => TryParse(entry, allows, out var rule, out var problem)
        ? rule
        : throw new InvalidOperationException(problem);

    public bool Matches(string host, IPAddress address, int port) =>
        (Port is null || Port == port)
        && (Host is not null ? string.Equals(Host, HostKey(host), StringComparison.Ordinal) : Network!.Value.Contains(address));

    /// <summary>The higher, the more specific.</summary>
    public int Specificity => ((Host is not null ? 256 : Network!.Value.PrefixLength) * 2) + (Port is null ? 0 : 1);

    /// <summary>A host name as rules compare it: the ASCII (IDN) form, lowercase, without a final dot.</summary>
    public static string HostKey(string host) => host.TrimEnd('.').ToLowerInvariant();

    private static bool TryParse(string? entry, bool allows, out OutboundRule rule, out string problem)
    {
        rule = null!;
        problem = $"it is empty; {Examples}";
        var text = entry?.Trim() ?? "";
        if (text.Length == 0)
        {
            return false;
        }

        // A port follows a bracketed IPv6 address or range, or an IPv4 address, range or host name (one colon).
        string target = text;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            target = close > 0 ? text[1..close] : "";
            portText = close > 0 && close < text.Length - 1 ? (text[close + 1] == ':' ? text[(close + 2)..] : "") : null;
        }
        else if (text.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 && colon == text.LastIndexOf(':'))
        {
            (target, portText) = (text[..colon], text[(colon + 1)..]);
        }

        int? port = null;
        if (portText is not null)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65_535)
            {
                problem = $"the port must be a number from 1 to 65535; {Examples}";
                return false;
            }

            port = number;
        }

        var why = allows ? $"it matches '{text}' in {OutboundOptions.SectionName}:Allow" : $"it matches '{text}' in {OutboundOptions.SectionName}:Deny";
        if (target.Contains('/', StringComparison.Ordinal))
        {
            // A range written with host bits ("10.0.0.1/8") is refused, not rounded: it may have meant one address.
            if (!IPNetwork.TryParse(target, out var network) || !network.BaseAddress.Equals(IPAddress.Parse(target[..target.IndexOf('/', StringComparison.Ordinal)])))
            {
                problem = $"'{target}' is not a CIDR range with its host bits zero, such as 10.0.0.0/8 or fd00::/8; {Examples}";
                return false;
            }

            rule = new OutboundRule(text, allows, Addresses.Range(network), null, port, why);
            return true;
        }

        if (IPAddress.TryParse(target, out var address))
        {
            address = Addresses.Normal(address);
            rule = new OutboundRule(text, allows, new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128), null, port, why);
            return true;
        }

        if (Uri.CheckHostName(target) != UriHostNameType.Dns || AsciiHost(target) is not { } host)
        {
            problem = $"'{target}' is neither an address, a CIDR range nor a host name; {Examples}";
            return false;
        }

        rule = new OutboundRule(text, allows, null, HostKey(host), port, why);
        return true;
    }

    // Host names reach the connection in their ASCII (IDN) form.
    private static string? AsciiHost(string host)
    {
        try
        {
            return new IdnMapping().GetAscii(host);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
