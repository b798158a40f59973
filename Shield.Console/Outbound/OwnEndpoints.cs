using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Shield.Console.Outbound;

/// <summary>
/// Where Shield itself listens (its server's addresses, once started): a server registered in Shield must never be
/// Shield, or a call would come back to the relay. A wildcard binding is every address of this machine on its port.
/// </summary>
internal sealed class OwnEndpoints(IServer server)
{
    public bool Contains(IPAddress address, int port) =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses is { Count: > 0 } addresses && Contains(addresses, address, port);

    public static bool Contains(IEnumerable<string> bindings, IPAddress address, int port)
    {
        address = Addresses.Normal(address);
        return bindings.Select(Parse).OfType<BindingAddress>().Any(b => b.Port == port && Reaches(b.Host, address));
    }

    private static BindingAddress? Parse(string binding)
    {
        try
        {
            return BindingAddress.Parse(binding) is { IsUnixPipe: false, IsNamedPipe: false } parsed ? parsed : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static bool Reaches(string host, IPAddress address)
    {
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true; // connecting to the unspecified address reaches this machine
        }

        if (IPAddress.TryParse(host.Trim('[', ']'), out var bound) && !bound.Equals(IPAddress.Any) && !bound.Equals(IPAddress.IPv6Any))
        {
            return Addresses.Normal(bound).Equals(address);
        }

        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.IsLoopback(address) : IsThisMachine(address);
    }

    private static bool IsThisMachine(IPAddress address) => IPAddress.IsLoopback(address) || NetworkInterface.GetAllNetworkInterfaces()
        .SelectMany(n => n.GetIPProperties().UnicastAddresses).Any(u => Addresses.Normal(u.Address).Equals(address));
}
