namespace Shield.Core.Cluster;

/// <summary>Whether several Shield instances share one database: <c>Shield:Cluster</c>.</summary>
public sealed class ClusterOptions
{
    public const string SectionName = "Shield:Cluster";
    public const int MaxInstanceNameLength = 128;

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
}
