using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shield.Core;
using Shield.Core.Persistence;
using Shield.Core.Persistence.PostgreSql;
using Shield.Core.Persistence.Sqlite;
using Shield.Core.Persistence.SqlServer;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Persistence;

/// <summary>The committed migrations match the model for every provider, as the running console builds it.</summary>
public sealed class MigrationsTests
{
    [Fact]
    public async Task Sqlite_HasNoPendingModelChanges()
    {
        await using var app = new ShieldAppFactory();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ShieldDbContext>();

        Assert.IsType<SqliteShieldDbContext>(db);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add <Name> --context SqliteShieldDbContext (see CONTRIBUTING.md)");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SqlServer_HasNoPendingModelChanges_AndItsIdempotentScriptGenerates()
    {
        var script = await IdempotentScriptAsync("SqlServer", "Server=127.0.0.1,1;Database=Shield;Connect Timeout=1", typeof(SqlServerShieldDbContext));

        Assert.Contains("IF NOT EXISTS (\n    SELECT * FROM [__EFMigrationsHistory]", script.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [AspNetUsers]", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [DataProtectionKeys]", script, StringComparison.Ordinal);
        Assert.Contains("WHERE [SessionId] IS NOT NULL", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgreSql_HasNoPendingModelChanges_AndItsScriptDelimitsFilteredIndexesItsOwnWay()
    {
        // PostgresMigrationsTests applies the migration to a real server.
        var script = await IdempotentScriptAsync("PostgreSql", "Host=127.0.0.1;Port=1;Database=shield;Timeout=1", typeof(PostgreSqlShieldDbContext));

        Assert.Contains("CREATE TABLE \"AuditRecords\"", script, StringComparison.Ordinal);
        Assert.Contains("WHERE \"SessionId\" IS NOT NULL", script, StringComparison.Ordinal);
        Assert.Contains("WHERE \"EventType\" IN ('audit.pruned'", script, StringComparison.Ordinal);
        Assert.DoesNotContain(script.Split('\n'), line => line.Contains("WHERE", StringComparison.Ordinal) && line.Contains('[', StringComparison.Ordinal));
    }

    // No server runs here: the context comes from Core's own registration, which never connects to build a model or a script.
    private static async Task<string> IdempotentScriptAsync(string provider, string connectionString, Type context)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shield:Database:Provider"] = provider,
            ["ConnectionStrings:Shield"] = connectionString,
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddShieldCore(configuration, Path.GetTempPath()).BuildServiceProvider();
        await using var db = await services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);

        Assert.IsType(context, db);
        Assert.False(db.Database.HasPendingModelChanges(), $"Run: dotnet ef migrations add <Name> --context {context.Name} (see CONTRIBUTING.md)");
        return db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
    }
}

/// <summary>The PostgreSQL baseline applies to a real server, as the console migrates at start.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresMigrationsTests(PostgresServer postgres)
{
    [Fact]
    public async Task TheBaseline_AppliesToARealServer_WithItsPartialIndexes()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var app = new ShieldAppFactory { Postgres = postgres };
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync(cancel);

        Assert.IsType<PostgreSqlShieldDbContext>(db);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(cancel));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync(cancel));
        var definition = await db.Database.SqlQuery<string>(
            $"SELECT indexdef AS \"Value\" FROM pg_indexes WHERE indexname = 'IX_AuditRecords_SessionId_Sequence'").SingleAsync(cancel);
        Assert.EndsWith("WHERE (\"SessionId\" IS NOT NULL)", definition, StringComparison.Ordinal);
    }
}
