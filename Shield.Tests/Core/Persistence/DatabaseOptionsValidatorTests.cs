using Shield.Core.Persistence;

namespace Shield.Tests.Core.Persistence;

public sealed class DatabaseOptionsValidatorTests
{
    private readonly DatabaseOptionsValidator _validator = new();

    [Theory]
    [InlineData("Sqlite", null)]
    [InlineData("sqlite", null)]
    [InlineData("SqlServer", "Server=db;Database=Shield")]
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
    }

    [Fact]
    public void SqlServerWithoutConnectionString_NamesTheSettingToSet()
    {
        var result = _validator.Validate(null, new DatabaseOptions { Provider = "SqlServer", ConnectionString = " " });

        Assert.Contains("ConnectionStrings__Shield", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
