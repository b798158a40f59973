namespace Shield.Core.Registry;

/// <summary>How Shield reaches an upstream MCP server.</summary>
public enum ServerTransport
{
    /// <summary>MCP streamable HTTP at a URL.</summary>
    Http,

    /// <summary>A local process Shield starts, speaking MCP over its standard input and output.</summary>
    Stdio,
}
