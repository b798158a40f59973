using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shield.Core.Persistence.PostgreSql;

/// <summary>The PostgreSQL flavour of <see cref="ShieldDbContext"/>; its migrations live beside it.</summary>
public sealed class PostgreSqlShieldDbContext(DbContextOptions<PostgreSqlShieldDbContext> options) : ShieldDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL model and scripts; it never connects.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlShieldDbContext>
{
    public PostgreSqlShieldDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlShieldDbContext>()
            .UseNpgsql("Host=design-time;Database=shield")
            .UseApplicationServiceProvider(DesignTimeServices.Instance)
            .Options);
}
