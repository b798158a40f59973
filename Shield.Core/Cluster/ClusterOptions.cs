namespace Shield.Core.Cluster;

/// <summary>Whether several Shield instances share one database: <c>Shield:Cluster</c>.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Shield:Cluster";
    public const int MaxInstanceNameLength = 128;

    /// <summary>The Redis connection string's name: <c>ConnectionStrings:Redis</c>.</summary>
    public const string RedisConnectionStringName = "Redis";

    public static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(200);
    public static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Several instances run on one database behind a load balancer. Needs a server database (SQL Server or
    /// PostgreSQL): an SQLite file belongs to one machine.
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// This instance's name, unique in the cluster: it holds the leases of the jobs it runs, and takes its own leases
    /// back at once after a restart. The machine's name when left empty.
    /// </summary>
    public string InstanceName { get; set; } = "";

    /// <summary>
    /// How often each instance of a cluster looks in the database for what another instance changed (approval requests
    /// decided or raised there, governance changes, sessions ended or revoked). With Redis, signals say "look now" at
    /// once and this is the safety net; without it, this is how late another instance's change arrives.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Taken from <c>ConnectionStrings:Redis</c> (a StackExchange.Redis configuration string): the Redis that carries
    /// the signals between the instances of a cluster and the approvals hub's backplane. None when empty.
    /// </summary>
    public string? Redis { get; internal set; }

    public bool HasRedis => Enabled && !string.IsNullOrWhiteSpace(Redis);
}
