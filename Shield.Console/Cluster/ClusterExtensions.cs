namespace Shield.Console.Cluster;

internal static class ClusterExtensions
{
    /// <summary>
    /// What lets several instances share one database: the cluster-wide jobs' leases (<see cref="ClusterJobs"/>). The
    /// settings (<c>Shield:Cluster</c>) and the leases themselves are Core's.
    /// </summary>
    public static void AddCluster(this WebApplicationBuilder builder) => builder.Services.AddSingleton<ClusterJobs>();
}
