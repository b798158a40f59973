using ModelContextProtocol;
using ModelContextProtocol.Client;
using Shield.Core.Registry;

namespace Shield.Console.Relay;

/// <summary>The MCP protocol revisions the relay tells apart, downstream (its agents) and upstream (its servers).</summary>
internal static class Revisions
{
    /// <summary>The first revision without sessions: each request carries its version, client and capabilities, and routing headers.</summary>
    public const string Stateless2026 = "2026-07-28";

    /// <summary>Whether a request of this revision (its <c>MCP-Protocol-Version</c>) stands alone. Revisions are dates, so they order as text.</summary>
    public static bool Stateless(string? version) => !string.IsNullOrEmpty(version) && string.CompareOrdinal(version, Stateless2026) >= 0;

    /// <summary>
    /// Whether agents may share one upstream client of this server without asking for it: an HTTP server that speaks a
    /// stateless revision keeps no session, so it cannot tell Shield's agents apart on separate clients either.
    /// </summary>
    public static bool SharesByItself(RegisteredServer server) => server.Transport == ServerTransport.Http && Stateless(server.ProtocolRevision);

    /// <summary>Whether the upstream session takes <c>logging/setLevel</c>: it said it logs, on a revision that still has the method.</summary>
#pragma warning disable MCP9005 // logging as 2025-11-25 defines it, for servers that speak it
    public static bool TakesLoggingLevel(McpClient upstream) => upstream.ServerCapabilities.Logging is not null && !Stateless(upstream.NegotiatedProtocolVersion);
#pragma warning restore MCP9005

    /// <summary>
    /// Refuses a request the upstream's revision no longer has (2026-07-28 removed <c>resources/subscribe</c> and
    /// <c>resources/unsubscribe</c>), naming the server and its revision, before anything is sent.
    /// </summary>
    /// <exception cref="McpProtocolException">The server's revision has no such method.</exception>
    public static void RequireUpstreamHas(McpClient upstream, string server, string method)
    {
        if (Stateless(upstream.NegotiatedProtocolVersion))
        {
            throw new McpProtocolException(
                $"The server {server} speaks MCP revision {upstream.NegotiatedProtocolVersion}, which has no {method}: Shield cannot pass the request on. Read the resource again to see whether it changed.",
                McpErrorCode.MethodNotFound);
        }
    }
}
