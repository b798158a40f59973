using Microsoft.Extensions.Options;
using Shield.Core.Cluster;
using StackExchange.Redis;

namespace Shield.Console.Cluster;

internal static class ClusterExtensions
{
    /// <summary>
    /// What lets several instances share one database: the cluster-wide jobs' leases (<see cref="ClusterJobs"/>), the
    /// signals between instances (<see cref="ClusterSignals"/>) and, with <c>ConnectionStrings:Redis</c>, the SignalR
    /// backplane that carries every hub's messages to the clients of every instance, and Redis's health. The settings
    /// (<c>Shield:Cluster</c>) and the leases themselves are Core's.
    /// </summary>
    public static void AddCluster(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<ClusterJobs>();
        services.AddSingleton<IValidateOptions<ClusterOptions>, RedisSettingsValidator>();
        services.AddSingleton<ClusterSignals>();
        services.AddHostedService(provider => provider.GetRequiredService<ClusterSignals>());

        var cluster = builder.Configuration.GetSection(ClusterOptions.SectionName).GetValue<bool>(nameof(ClusterOptions.Enabled));
        var redis = builder.Configuration.GetConnectionString(ClusterOptions.RedisConnectionStringName);
        if (cluster && !string.IsNullOrWhiteSpace(redis))
        {
            services.AddSignalR().AddStackExchangeRedis(options =>
            {
                // Parsed here only once the settings passed validation (the options are built after it, on first use).
                options.Configuration = ConfigurationOptions.Parse(redis);
                options.Configuration.AbortOnConnectFail = false;
            });
            services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis");
        }
    }
}
