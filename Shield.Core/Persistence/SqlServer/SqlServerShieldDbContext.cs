using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shield.Core.Persistence.SqlServer;

/// <summary>The SQL Server flavour of <see cref="ShieldDbContext"/>; its migrations live beside it.</summary>
public sealed class SqlServerShieldDbContext(DbContextOptions<SqlServerShieldDbContext> options) : ShieldDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the SQL Server model and scripts; it never connects.</summary>
public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerShieldDbContext>
{
    public SqlServerShieldDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerShieldDbContext>()
            .UseSqlServer("Server=design-time;Database=Shield")
            .UseApplicationServiceProvider(DesignTimeServices.Instance)
            .Options);
}
