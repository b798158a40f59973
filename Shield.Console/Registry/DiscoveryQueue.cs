using System.Threading.Channels;

namespace Shield.Console.Registry;

/// <summary>Servers to discover as soon as possible (after an import changed them), worked off by the refresher.</summary>
public sealed class DiscoveryQueue
{
    private readonly Channel<string> _names = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    public void Enqueue(IEnumerable<string> serverNames)
    {
        foreach (var name in serverNames)
        {
            _names.Writer.TryWrite(name);
        }
    }

    internal ChannelReader<string> Reader => _names.Reader;
}
