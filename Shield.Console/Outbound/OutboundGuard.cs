using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Shield.Console.Registry;

namespace Shield.Console.Outbound;

/// <summary>Resolves a host name to its addresses; replaceable so that tests can answer as a hostile DNS would.</summary>
internal delegate Task<IPAddress[]> HostLookup(string host, CancellationToken cancellationToken);

/// <summary>
/// Opens every connection of the upstream HTTP client: resolves the host once, checks each address against the outbound
/// policy and Shield's own endpoints, and connects only to the addresses it checked, so that a name resolving one way
/// when a server is registered and another way when it is called (DNS rebinding) gains nothing.
/// </summary>
internal sealed class OutboundGuard(IOptionsMonitor<OutboundOptions> options, OwnEndpoints own, HostLookup lookup)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await CheckedAddressesAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses <paramref name="host"/> stands for, every one of them allowed.</summary>
    /// <exception cref="UpstreamException">One of them is refused: a name that also points somewhere refused is not trusted.</exception>
    public async Task<IPAddress[]> CheckedAddressesAsync(string host, int port, CancellationToken cancellationToken)
    {
        var isAddress = IPAddress.TryParse(host.Trim('[', ']'), out var literal);
        var addresses = isAddress ? [literal!] : await lookup(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new UpstreamException($"{host} has no address.");
        }

        var policy = OutboundPolicy.From(options.CurrentValue);
        foreach (var address in addresses)
        {
            var why = own.Contains(address, port)
                ? "it is where Shield itself listens, and a server registered in Shield cannot be Shield"
                : policy.Refusal(host, address, port);
            if (why is not null)
            {
                var named = isAddress ? "" : $" (the address of {host})";
                throw new UpstreamException($"Shield does not connect to {new IPEndPoint(Addresses.Normal(address), port)}{named}: {why}.");
            }
        }

        return addresses;
    }
}
