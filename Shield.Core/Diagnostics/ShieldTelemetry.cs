using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Shield.Core.Diagnostics;

/// <summary>The names under which Shield emits traces and metrics.</summary>
public static class ShieldTelemetry
{
    public const string Name = "Shield";
    public const string PersistenceName = "Shield.Persistence";

    /// <summary>
    /// The MCP SDK's spans and metrics, which follow OpenTelemetry's semantic conventions for MCP (both of the relay's
    /// hops: the agent's request as <c>Server</c> spans, the upstream's as <c>Client</c> spans, one trace).
    /// </summary>
    public const string McpName = "Experimental.ModelContextProtocol";

    public static ActivitySource ActivitySource { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);
}
