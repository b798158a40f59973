namespace Shield.Console.Relay;

/// <summary>The MCP protocol revisions the relay tells apart.</summary>
internal static class Revisions
{
    /// <summary>The first revision without sessions: each request carries its version, client and capabilities, and routing headers.</summary>
    public const string Stateless2026 = "2026-07-28";

    /// <summary>Whether a request of this revision (its <c>MCP-Protocol-Version</c>) stands alone. Revisions are dates, so they order as text.</summary>
    public static bool Stateless(string? version) => !string.IsNullOrEmpty(version) && string.CompareOrdinal(version, Stateless2026) >= 0;
}
