using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shield.Core.Persistence;

/// <summary>Creates the SQLite folder and applies pending migrations before anything else starts.</summary>
internal sealed partial class DatabaseInitializer(
    IDbContextFactory<ShieldDbContext> contexts,
    IOptions<DatabaseOptions> options,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.IsSqlite && SqliteConnectionStrings.DirectoryOf(settings.ConnectionString!) is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await using var db = contexts.CreateDbContext();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0 && !settings.MigrateOnStart)
        {
            LogPendingNotApplied(logger, pending.Count, string.Join(", ", pending));
        }
        else if (pending.Count > 0)
        {
            await db.Database.MigrateAsync(cancellationToken);
            LogMigrated(logger, pending.Count, settings.Provider);
        }

        if (settings.IsSqlite)
        {
            // Write-ahead logging lets readers work while a writer commits; it is a property of the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} database migration(s) to the {Provider} database.")]
    private static partial void LogMigrated(ILogger logger, int count, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} database migration(s) are pending and Shield:Database:MigrateOnStart is false: {Migrations}. " +
        "Apply them with the idempotent SQL script (see CONTRIBUTING.md) before using the console.")]
    private static partial void LogPendingNotApplied(ILogger logger, int count, string migrations);
}
