using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Shield.Core.Cluster;
using Shield.Core.Diagnostics;
using Shield.Core.Persistence;
using Shield.Core.Persistence.PostgreSql;
using Shield.Core.Persistence.Sqlite;
using Shield.Core.Persistence.SqlServer;
using Shield.Core.Redaction;

namespace Shield.Core;

public static class ShieldCoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds Shield's domain and persistence: the database chosen by <c>Shield:Database:Provider</c>, its
    /// migrations applied at start, a <see cref="TimeProvider"/>, the cluster settings and the leases that keep a job on
    /// one instance (<see cref="ClusterLeases"/>), and the <see cref="RedactorStore"/> with the current redaction rules.
    /// </summary>
    public static IServiceCollection AddShieldCore(this IServiceCollection services, IConfiguration configuration, string contentRootPath)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<IdentityOptions>(options => ShieldDbContext.PinIdentitySchema(options.Stores));

        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .Configure(options =>
            {
                var configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
                options.ConnectionString = options.IsSqlite
                    ? SqliteConnectionStrings.Resolve(configured, contentRootPath)
                    : configured;
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddOptions<ClusterOptions>().Bind(configuration.GetSection(ClusterOptions.SectionName))
            .Configure(options => options.Redis = configuration.GetConnectionString(ClusterOptions.RedisConnectionStringName))
            .PostConfigure(options => options.InstanceName = string.IsNullOrWhiteSpace(options.InstanceName) ? Environment.MachineName : options.InstanceName.Trim())
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>();
        services.AddSingleton<ClusterLeases>();

        services.AddDbContextFactory<SqliteShieldDbContext>((provider, builder) => builder
            .UseSqlite(ConnectionString(provider))
            .AddInterceptors(Interceptors(provider, "sqlite"))
            .AddInterceptors(new SqliteBusyWait()));
        services.AddDbContextFactory<SqlServerShieldDbContext>((provider, builder) => builder
            .UseSqlServer(ConnectionString(provider), sql => sql.EnableRetryOnFailure())
            .AddInterceptors(Interceptors(provider, "microsoft.sql_server")));
        services.AddDbContextFactory<PostgreSqlShieldDbContext>((provider, builder) => builder
            .UseNpgsql(ConnectionString(provider), npgsql => npgsql.EnableRetryOnFailure())
            .AddInterceptors(Interceptors(provider, "postgresql")));
        services.AddSingleton<IDbContextFactory<ShieldDbContext>, ShieldDbContextFactory>();
        services.AddScoped(provider => provider.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContext());
        services.AddHostedService<DatabaseInitializer>();
        services.AddSingleton<RedactorStore>();
        return services;
    }

    // Tracing, and whatever the host adds as IInterceptor (the console's audit of governance changes).
    private static IEnumerable<IInterceptor> Interceptors(IServiceProvider provider, string system) =>
        [new DbCommandTracingInterceptor(system), .. provider.GetServices<IInterceptor>()];

    private static string? ConnectionString(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
}
