using System.Security.Cryptography;
using Npgsql;

namespace Shield.Benchmarks;

/// <summary>
/// The PostgreSQL server and Redis a benchmark's cluster runs on; each run gets a database of its own on that server
/// (Shield creates it as it migrates), the instances one key file and one anchor file in the run's folder.
/// </summary>
public sealed class BenchCluster(string postgres, string redis)
{
    private readonly string _database = "shield_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The settings of the instance named <paramref name="name"/>.</summary>
    public Dictionary<string, string?> Settings(string folder, string name)
    {
        var key = Path.Combine(folder, "audit.key");
        if (!File.Exists(key))
        {
            File.WriteAllText(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return new()
        {
            ["Shield:Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Shield"] = new NpgsqlConnectionStringBuilder(postgres) { Database = _database }.ConnectionString,
            ["ConnectionStrings:Redis"] = redis,
            ["Shield:Cluster:Enabled"] = "true",
            ["Shield:Cluster:InstanceName"] = name,
            ["Shield:Audit:KeyFile"] = key,
            ["Shield:Audit:AnchorFile"] = Path.Combine(folder, "audit.anchors"),
        };
    }
}
