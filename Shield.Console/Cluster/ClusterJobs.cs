using Shield.Core.Cluster;

namespace Shield.Console.Cluster;

/// <summary>Makes the <see cref="ClusterJob"/> of each cluster-wide job; they log under <see cref="ClusterJob"/>.</summary>
public sealed class ClusterJobs(ClusterLeases leases, ILogger<ClusterJob> logger)
{
    /// <summary>The job named <paramref name="name"/>, whose rounds come every <paramref name="interval"/>.</summary>
    public ClusterJob Create(string name, TimeSpan interval) => new(leases, name, interval, logger);
}
