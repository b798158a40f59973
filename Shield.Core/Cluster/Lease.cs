namespace Shield.Core.Cluster;

/// <summary>
/// The right of one Shield instance to run a cluster-wide job (scheduled discovery, retention, approval expiry) until
/// <see cref="ExpiresAtUtc"/>. Its holder renews it while it lives; once it lapses, any instance may take it.
/// </summary>
public sealed class Lease
{
    public const int MaxNameLength = 64;

    /// <summary>The job, e.g. <c>audit-retention</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The instance holding it (<c>Shield:Cluster:InstanceName</c>).</summary>
    public string Holder { get; set; } = "";

    public DateTime ExpiresAtUtc { get; set; }
}
