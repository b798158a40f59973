using Shield.Core.Persistence;

namespace Shield.Tests.Core.Persistence;

public sealed class DatabaseOptionsValidatorTests
{
    private readonly DatabaseOptionsValidator _validator = new();

    [Theory]
    [InlineData("Sqlite", null)]
    [InlineData("sqlite", null)]
    [InlineData("SqlServer", "Server=db;Database=Shield")]
    [InlineData("PostgreSql", "Host=db;Database=shield")]
    [InlineData("postgresql", "Host=db;Database=shield")]
    public void SupportedSettings_Pass(string provider, string? connectionString) =>
        Assert.True(_validator.Validate(null, new DatabaseOptions { Provider = provider, ConnectionString = connectionString }).Succeeded);

    [Fact]
    public void UnknownProvider_SaysWhichOnesWork()
    {
        var result = _validator.Validate(null, new DatabaseOptions { Provider = "Postgres" });

        var message = Assert.Single(result.Failures!);
        Assert.Contains("'Postgres'", message, StringComparison.Ordinal);
        Assert.Contains("'Sqlite'", message, StringComparison.Ordinal);
        Assert.Contains("'SqlServer'", message, StringComparison.Ordinal);
        Assert.Contains("'PostgreSql'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SqlServer", "SQL Server")]
    [InlineData("PostgreSql", "PostgreSQL")]
    public void AServerDatabaseWithoutConnectionString_NamesTheSettingToSet(string provider, string engine)
    {
        var result = _validator.Validate(null, new DatabaseOptions { Provider = provider, ConnectionString = " " });

        var message = Assert.Single(result.Failures!);
        Assert.Contains("ConnectionStrings__Shield", message, StringComparison.Ordinal);
        Assert.Contains($"the {engine} connection string", message, StringComparison.Ordinal);
    }
}
