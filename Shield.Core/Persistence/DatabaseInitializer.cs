using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Shield.Core.Persistence;

/// <summary>
/// Creates the SQLite folder and applies pending migrations before anything else starts. With
/// <c>MigrateOnStart</c> off, a database that is behind the code stops the start: running on a stale schema is unsafe.
/// </summary>
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
            throw new InvalidOperationException(
                $"The {settings.Provider} database is {pending.Count} migration(s) behind this version of Shield ({string.Join(", ", pending)}) " +
                "and Shield:Database:MigrateOnStart is false. Apply the idempotent migration script (see CONTRIBUTING.md) or set MigrateOnStart to true.");
        }

        if (pending.Count > 0)
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
}
