using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shield.Core;
using Shield.Core.Persistence;
using Shield.Core.Persistence.Sqlite;
using Shield.Core.Persistence.SqlServer;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Persistence;

/// <summary>The committed migrations match the model for both providers, as the running console builds it.</summary>
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
        // No SQL Server engine runs here: the context comes from Core's own registration, which never connects to build a model.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shield:Database:Provider"] = "SqlServer",
            ["ConnectionStrings:Shield"] = "Server=127.0.0.1,1;Database=Shield;Connect Timeout=1",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddShieldCore(configuration, Path.GetTempPath()).BuildServiceProvider();
        var contexts = services.GetRequiredService<IDbContextFactory<ShieldDbContext>>();
        await using var db = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);

        Assert.IsType<SqlServerShieldDbContext>(db);
        Assert.False(db.Database.HasPendingModelChanges(), "Run: dotnet ef migrations add <Name> --context SqlServerShieldDbContext (see CONTRIBUTING.md)");
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        Assert.Contains("IF NOT EXISTS (\n    SELECT * FROM [__EFMigrationsHistory]", script.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [AspNetUsers]", script, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE [DataProtectionKeys]", script, StringComparison.Ordinal);
    }
}
