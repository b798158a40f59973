namespace Shield.Core.Persistence;

/// <summary>Where Shield keeps its data: <c>Shield:Database</c> and <c>ConnectionStrings:Shield</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Shield:Database";
    public const string ConnectionStringName = "Shield";

    /// <summary>The relative SQLite file used when no connection string is set.</summary>
    public const string DefaultSqliteFile = "data/shield.db";

    /// <summary>
    /// <see cref="DatabaseProviders.Sqlite"/> (default), <see cref="DatabaseProviders.SqlServer"/> or
    /// <see cref="DatabaseProviders.PostgreSql"/>.
    /// </summary>
    public string Provider { get; set; } = DatabaseProviders.Sqlite;

    /// <summary>Apply pending migrations when the console starts.</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// Taken from <c>ConnectionStrings:Shield</c>. For SQLite a relative data source is resolved against the
    /// content root, and an empty one means <see cref="DefaultSqliteFile"/> there.
    /// </summary>
    public string? ConnectionString { get; set; }

    public bool IsSqlite => string.Equals(Provider, DatabaseProviders.Sqlite, StringComparison.OrdinalIgnoreCase);

    /// <summary>The SQLite database's file (absolute once resolved); null for a server database or an in-memory one.</summary>
    public string? SqliteFile => IsSqlite && ConnectionString is { } connection && SqliteConnectionStrings.DirectoryOf(connection) is not null
        ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection).DataSource
        : null;

    public bool IsSqlServer => string.Equals(Provider, DatabaseProviders.SqlServer, StringComparison.OrdinalIgnoreCase);

    public bool IsPostgreSql => string.Equals(Provider, DatabaseProviders.PostgreSql, StringComparison.OrdinalIgnoreCase);
}
