using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Shield.Core.Persistence.PostgreSql;
using Shield.Core.Persistence.Sqlite;
using Shield.Core.Persistence.SqlServer;

namespace Shield.Core.Persistence;

/// <summary>Hands out contexts of the configured provider as plain <see cref="ShieldDbContext"/>s.</summary>
internal sealed class ShieldDbContextFactory(IOptions<DatabaseOptions> options, IServiceProvider services)
    : IDbContextFactory<ShieldDbContext>
{
    private readonly Func<ShieldDbContext> _create = options.Value switch
    {
        { IsSqlServer: true } => services.GetRequiredService<IDbContextFactory<SqlServerShieldDbContext>>().CreateDbContext,
        { IsPostgreSql: true } => services.GetRequiredService<IDbContextFactory<PostgreSqlShieldDbContext>>().CreateDbContext,
        _ => services.GetRequiredService<IDbContextFactory<SqliteShieldDbContext>>().CreateDbContext,
    };

    public ShieldDbContext CreateDbContext() => _create();
}
