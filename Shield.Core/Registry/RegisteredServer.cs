namespace Shield.Core.Registry;

/// <summary>An upstream MCP server registered with Shield, with what its last discovery found.</summary>
public sealed class RegisteredServer
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>The slug that prefixes its tools' names (<c>crm__delete_record</c>); see <see cref="ServerName"/>.</summary>
    public string Name { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public string Description { get; set; } = "";

    public string Owner { get; set; } = "";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Agent sessions whose clients declared no capabilities share one upstream session to it, instead of one each. Only
    /// for a server that keeps no state per session: shared, one agent's state would reach another.
    /// </summary>
    public bool ShareSessions { get; set; }

    public ServerTransport Transport { get; set; }

    /// <summary>The streamable HTTP endpoint (HTTP transport).</summary>
    public string? Url { get; set; }

    /// <summary>The program to start (stdio transport).</summary>
    public string? Command { get; set; }

    public List<string> Arguments { get; set; } = [];

    /// <summary>HTTP headers sent upstream, typically carrying Shield's own credential for the server.</summary>
    public List<SecretSetting> Headers { get; set; } = [];

    /// <summary>Environment variables of the stdio process.</summary>
    public List<SecretSetting> Environment { get; set; } = [];

    public DateTime CreatedAtUtc { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTime UpdatedAtUtc { get; set; }

    public string UpdatedBy { get; set; } = "";

    public DateTime? LastDiscoveryAtUtc { get; set; }

    /// <summary>Null until the first discovery; then whether the last one succeeded.</summary>
    public bool? LastDiscoverySucceeded { get; set; }

    /// <summary>Why the last discovery failed, written for an administrator.</summary>
    public string? LastDiscoveryError { get; set; }

    /// <summary>Tools the last discovery rejected, each as "name: reason".</summary>
    public List<string> LastDiscoveryRejections { get; set; } = [];

    /// <summary>
    /// The MCP revision discovery last negotiated with the server: the newest both sides speak (<c>2026-07-28</c> when
    /// the server answers <c>server/discover</c>, else what <c>initialize</c> agreed). The relay speaks it upstream.
    /// Learned, not configured: null until a discovery succeeds.
    /// </summary>
    public string? ProtocolRevision { get; set; }

    /// <summary>When the server was first found speaking <see cref="ProtocolRevision"/>; later discoveries that agree leave it.</summary>
    public DateTime? ProtocolRevisionLearnedAtUtc { get; set; }

    public int? PromptCount { get; set; }

    public int? ResourceCount { get; set; }

    public List<RegisteredTool> Tools { get; set; } = [];
}
