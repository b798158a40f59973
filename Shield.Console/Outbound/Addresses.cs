using System.Net;
using System.Net.Sockets;

namespace Shield.Console.Outbound;

/// <summary>The spellings of one destination: an IPv4 address written as IPv6, or carried inside an IPv6 address.</summary>
internal static class Addresses
{
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>An IPv4-mapped IPv6 address (<c>::ffff:169.254.169.254</c>) as the IPv4 address it is; any other as it is.</summary>
    public static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>A range written over IPv4-mapped IPv6 addresses as the IPv4 range it is.</summary>
    public static IPNetwork Range(IPNetwork network) => network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength >= 96
        ? new IPNetwork(network.BaseAddress.MapToIPv4(), network.PrefixLength - 96)
        : network;

    /// <summary>
    /// The address and any IPv4 address an IPv6 one carries on to (IPv4-compatible <c>::a.b.c.d</c>, NAT64
    /// <c>64:ff9b::/96</c>, 6to4 <c>2002::/16</c>): a destination is refused when either form is.
    /// </summary>
    public static IEnumerable<IPAddress> Forms(IPAddress address)
    {
        address = Normal(address);
        yield return address;
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            yield break;
        }

        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address) || (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && bytes[12] != 0))
        {
            yield return new IPAddress(bytes.AsSpan(12, 4));
        }
        else if (SixToFour.Contains(address))
        {
            yield return new IPAddress(bytes.AsSpan(2, 4));
        }
    }
}
