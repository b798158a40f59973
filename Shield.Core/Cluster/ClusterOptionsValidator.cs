using Microsoft.Extensions.Options;
using Shield.Core.Persistence;

namespace Shield.Core.Cluster;

/// <summary>Checks the cluster settings at start: a cluster needs a server database and every instance a name.</summary>
internal sealed class ClusterOptionsValidator(IOptions<DatabaseOptions> database) : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        List<string> errors = [];
        if (options.Enabled && database.Value.IsSqlite)
        {
            errors.Add($"{ClusterOptions.SectionName}:Enabled is true but {DatabaseOptions.SectionName}:Provider is '{DatabaseProviders.Sqlite}'. " +
                "Instances of a cluster must share one database, and an SQLite file belongs to the one machine that opens it " +
                "(its locks do not hold across machines or network file systems, so a shared file would corrupt the audit trail). " +
                $"Set {DatabaseOptions.SectionName}:Provider to '{DatabaseProviders.SqlServer}' or '{DatabaseProviders.PostgreSql}' " +
                $"with ConnectionStrings:{DatabaseOptions.ConnectionStringName}, or run a single instance with {ClusterOptions.SectionName}:Enabled=false.");
        }

        if (options.InstanceName.Length > ClusterOptions.MaxInstanceNameLength || options.InstanceName.Any(char.IsControl))
        {
            errors.Add($"{ClusterOptions.SectionName}:InstanceName must be at most {ClusterOptions.MaxInstanceNameLength} printable characters, " +
                "unique to each instance (for example the host or pod name). Leave it empty to use the machine's name.");
        }

        if (options.PollInterval < ClusterOptions.MinPollInterval || options.PollInterval > ClusterOptions.MaxPollInterval)
        {
            errors.Add($"{ClusterOptions.SectionName}:PollInterval must be between {ClusterOptions.MinPollInterval} and {ClusterOptions.MaxPollInterval} " +
                "(how often an instance looks in the database for what another changed; for example 00:00:02).");
        }

        if (!string.IsNullOrWhiteSpace(options.Redis) && !options.Enabled)
        {
            errors.Add($"ConnectionStrings:{ClusterOptions.RedisConnectionStringName} is set but {ClusterOptions.SectionName}:Enabled is false. " +
                "Redis carries signals between the instances of a cluster, and one instance has nobody to signal; instances that share a database " +
                $"without {ClusterOptions.SectionName}:Enabled=true would each expire the others' waiting calls at start. Set {ClusterOptions.SectionName}:Enabled=true " +
                $"(with a server database) on every instance, or remove ConnectionStrings:{ClusterOptions.RedisConnectionStringName}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
