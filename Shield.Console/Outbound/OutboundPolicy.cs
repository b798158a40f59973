using System.Net;

namespace Shield.Console.Outbound;

/// <summary>
/// Decides whether Shield may connect to an address to reach an upstream server: the built-in refusals (link-local and
/// cloud metadata addresses, the unspecified address) and the configured rules, the most specific deciding. Loopback
/// and private ranges are allowed: on-premises servers live there. A pure function of its rules.
/// </summary>
internal sealed class OutboundPolicy(IReadOnlyList<OutboundRule> rules)
{
    private const string Metadata = "where cloud metadata services answer with the machine's credentials";

    /// <summary>What Shield refuses unless an entry of <c>Shield:Outbound:Allow</c> is more specific.</summary>
    public static IReadOnlyList<OutboundRule> Defaults { get; } =
    [
        Refused("169.254.0.0/16", $"it is a link-local address, {Metadata} (169.254.169.254)"),
        Refused("fe80::/10", "it is an IPv6 link-local address"),
        Refused("fd00:ec2::254/128", $"it is a cloud metadata address, {Metadata}"),
        Refused("100.100.100.200/32", $"it is a cloud metadata address, {Metadata}"),
        Refused("168.63.129.16/32", "it is a cloud platform's host endpoint, which serves the machine's agent and configuration"),
        Refused("0.0.0.0/8", "it is the unspecified address, which is not a server's; use 127.0.0.1 or the server's own address"),
        Refused("::/128", "it is the unspecified address, which is not a server's; use ::1 or the server's own address"),
    ];

    public static OutboundPolicy From(OutboundOptions options) => new(
    [
        .. Defaults,
        .. options.Allow.Select(entry => OutboundRule.Configured(entry, allows: true)),
        .. options.Deny.Select(entry => OutboundRule.Configured(entry, allows: false)),
    ]);

    /// <summary>Why Shield does not connect to <paramref name="address"/> for <paramref name="host"/>, or null when it may.</summary>
    public string? Refusal(string host, IPAddress address, int port)
    {
        foreach (var form in Addresses.Forms(address))
        {
            var deciding = rules.Where(r => r.Matches(host, form, port)).OrderByDescending(r => r.Specificity).ThenBy(r => r.Allows).FirstOrDefault();
            if (deciding is { Allows: false })
            {
                return deciding.Why;
            }
        }

        return null;
    }

    private static OutboundRule Refused(string range, string why) =>
        new(range, false, IPNetwork.Parse(range), null, null, $"{why}; to reach a server there, list it in {OutboundOptions.SectionName}:Allow");
}
