using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Shield.Core.Persistence.Sqlite;

/// <summary>The SQLite flavour of <see cref="ShieldDbContext"/>; its migrations live beside it.</summary>
public sealed class SqliteShieldDbContext(DbContextOptions<SqliteShieldDbContext> options) : ShieldDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the SQLite model without starting the console.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteShieldDbContext>
{
    public SqliteShieldDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteShieldDbContext>()
            .UseSqlite("Data Source=design-time.db")
            .UseApplicationServiceProvider(DesignTimeServices.Instance)
            .Options);
}
