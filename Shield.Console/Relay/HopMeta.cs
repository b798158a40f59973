using System.Text.Json.Nodes;

namespace Shield.Console.Relay;

/// <summary>
/// A request's <c>_meta</c> as it goes on upstream. Keys under <c>io.modelcontextprotocol/</c> describe the agent's own
/// connection (its protocol revision, client info and capabilities, in the stateless revision) and are not the
/// upstream's business: Shield's upstream session negotiated its own. Everything else (progress tokens, trace context,
/// the agent's own keys) passes unchanged.
/// </summary>
internal static class HopMeta
{
    private const string ProtocolPrefix = "io.modelcontextprotocol/";

    public static JsonObject? Onward(JsonObject? meta)
    {
        if (meta is null || !meta.Any(p => p.Key.StartsWith(ProtocolPrefix, StringComparison.Ordinal)))
        {
            return meta;
        }

        var onward = new JsonObject();
        foreach (var (key, value) in meta.Where(p => !p.Key.StartsWith(ProtocolPrefix, StringComparison.Ordinal)))
        {
            onward[key] = value?.DeepClone();
        }

        return onward.Count == 0 ? null : onward;
    }
}
