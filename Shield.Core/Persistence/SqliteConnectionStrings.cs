using Microsoft.Data.Sqlite;

namespace Shield.Core.Persistence;

/// <summary>Turns the configured SQLite connection string into one with an absolute file path.</summary>
internal static class SqliteConnectionStrings
{
    public static string Resolve(string? configured, string contentRootPath)
    {
        var builder = new SqliteConnectionStringBuilder(
            string.IsNullOrWhiteSpace(configured) ? $"Data Source={DatabaseOptions.DefaultSqliteFile}" : configured);
        var source = builder.DataSource;
        var isFile = !string.IsNullOrEmpty(source)
            && !source.Equals(":memory:", StringComparison.OrdinalIgnoreCase)
            && builder.Mode != SqliteOpenMode.Memory
            && !source.StartsWith("file:", StringComparison.OrdinalIgnoreCase);
        if (isFile && !Path.IsPathRooted(source))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRootPath, source));
        }

        return builder.ToString();
    }

    /// <summary>The folder a file database lives in, so it can be created before the first connection.</summary>
    public static string? DirectoryOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return Path.IsPathRooted(builder.DataSource) ? Path.GetDirectoryName(builder.DataSource) : null;
    }
}
