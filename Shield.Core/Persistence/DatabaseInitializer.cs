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
        var known = db.Database.GetMigrations().ToHashSet(StringComparer.Ordinal);
        var unknown = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Where(id => !known.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            // Until a release exists each provider keeps one baseline migration: a database made by an earlier build
            // has a history this version cannot continue, and migrating it would fail half-way.
            throw new InvalidOperationException(
                $"The {settings.Provider} database was made by an earlier pre-release of Shield (its migrations {string.Join(", ", unknown.Take(3))}" +
                $"{(unknown.Count > 3 ? ", …" : "")} are not part of this version, whose schema starts from one baseline). " +
                "Start on a new database: move the old file or database aside, or point ConnectionStrings:Shield at a new one.");
        }

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
