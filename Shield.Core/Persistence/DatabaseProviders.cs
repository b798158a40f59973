namespace Shield.Core.Persistence;

/// <summary>The database engines Shield can store its data in.</summary>
public static class DatabaseProviders
{
    /// <summary>An embedded SQLite file: the default, nothing to install, one instance only.</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>Microsoft SQL Server or Azure SQL, for production.</summary>
    public const string SqlServer = "SqlServer";

    /// <summary>PostgreSQL, for production.</summary>
    public const string PostgreSql = "PostgreSql";

    public static IReadOnlyList<string> All { get; } = [Sqlite, SqlServer, PostgreSql];
}
