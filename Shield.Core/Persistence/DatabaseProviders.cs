namespace Shield.Core.Persistence;

/// <summary>The database engines Shield can store its data in.</summary>
public static class DatabaseProviders
{
    /// <summary>An embedded SQLite file: the default, nothing to install.</summary>
    public const string Sqlite = "Sqlite";

    /// <summary>Microsoft SQL Server or Azure SQL, for production.</summary>
    public const string SqlServer = "SqlServer";

    public static IReadOnlyList<string> All { get; } = [Sqlite, SqlServer];
}
