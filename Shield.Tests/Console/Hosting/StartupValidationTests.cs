using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Hosting;

/// <summary>Bad settings stop the console at start with a message that says how to fix them.</summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "Shield:Database:Provider", "MySql", "Set it to 'Sqlite' (the embedded default), 'SqlServer' or 'PostgreSql'" },
        { "Shield:Cluster:Enabled", "true", "an SQLite file belongs to the one machine that opens it" },
        { "Shield:Cluster:InstanceName", new string('n', 129), "Shield:Cluster:InstanceName must be at most 128 printable characters" },
        { "Shield:Cluster:PollInterval", "00:00:00.050", "Shield:Cluster:PollInterval must be between 00:00:00.2000000 and 00:00:30" },
        { "ConnectionStrings:Redis", "127.0.0.1:6379", "Redis carries signals between the instances of a cluster, and one instance has nobody to signal" },
        { "ConnectionStrings:Redis", "127.0.0.1:6379,abortConnect=sometimes", "ConnectionStrings:Redis is not a Redis configuration string" },
        { "ConnectionStrings:Redis", "password=secret", "ConnectionStrings:Redis names no Redis server" },
        { "Shield:Bootstrap:AdminPassword", "password", "Shield:Bootstrap:AdminPassword is too weak" },
        { "Shield:Bootstrap:AdminEmail", "not an email", "is not an email address" },
        { "Shield:SignIn:FailuresPerClient", "5", "Shield:SignIn:FailuresPerClient is 5; use 1 to 4" },
        { "Shield:Telemetry:OtlpEndpoint", "collector:4317", "Set it to the OTLP/gRPC collector" },
        { "AzureAd:TenantId", "7f3c1d2e-0000-4000-8000-00000000aa01", "AzureAd:ClientId is ''" },
        { "Shield:DataProtection:CertificatePath", "/no/such/shield.pfx", "Shield:DataProtection:CertificatePath '/no/such/shield.pfx' cannot be used" },
        { "Shield:Audit:RetentionDays", "0", "Shield:Audit:RetentionDays is 0; give a number of days from 1 to 36500" },
        { "Shield:Audit:BatchSize", "0", "Shield:Audit:BatchSize is 0; give a number from 1 to 10000" },
        { "Shield:Audit:CheckpointInterval", "-00:00:01", "Shield:Audit:CheckpointInterval is -00:00:01" },
        { "Shield:Relay:AllowedOrigins:0", "https://agents.example.com/mcp", "Shield:Relay:AllowedOrigins:0 is 'https://agents.example.com/mcp'; give an origin as a browser sends it" },
        { "Shield:Relay:MaxResultBytes", "10", "Shield:Relay:MaxResultBytes is 10; use at least 1024" },
        { "Shield:Registry:MaxListBytes", "10", "Shield:Registry:MaxListBytes is 10; use at least 1024" },
        { "Shield:Registry:MaxDefinitionsPerTool", "1", "Shield:Registry:MaxDefinitionsPerTool is 1; use at least 2" },
        { "Shield:Siem:PollInterval", "00:00:00", "Shield:Siem:PollInterval is 00:00:00; give a duration from 00:00:00.05" },
        { "Shield:Siem:Sinks:0:Name", "has space", "Shield:Siem:Sinks:0:Name 'has space' must be 1 to 64 letters" },
        { "Shield:Siem:Sinks:0:Port", "0", "Shield:Siem:Sinks:0:Port is 0; give the receiver's TCP port" },
        { "Shield:Siem:Sinks:0:Host", "bad host!", "Shield:Siem:Sinks:0:Host 'bad host!' is not a host name or address" },
        { "Shield:Siem:Sinks:0:CaFile", "ca.pem", "Shield:Siem:Sinks:0:CaFile is set but Tls is false" },
        { "Shield:Siem:Sinks:0:Protocol", "OtlpHttp", "Shield:Siem:Sinks:0:Endpoint '' is not an http or https URL" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSetting_StopsStart_WithAFix(string key, string? value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    // The console's own start, without the test host: when a start fails, WebApplicationFactory can race its own
    // disposal and report ObjectDisposedException instead of the failure.
    private static async Task StartAsync(Dictionary<string, string?> settings)
    {
        using var folder = new TempFolder();
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions
        {
            EnvironmentName = "Development",
            ContentRootPath = folder.Path,
            Args = ["--urls", "http://127.0.0.1:0"],
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Shield"] = $"Data Source={Path.Combine(folder.Path, "shield.db")}",
            ["Shield:Bootstrap:AdminEmail"] = ShieldAppFactory.AdminEmail,
            ["Shield:Bootstrap:AdminPassword"] = ShieldAppFactory.AdminPassword,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        Shield.Console.Hosting.ShieldConsoleBuilderExtensions.AddShieldConsole(builder);
        await using var app = builder.Build();
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }

    [Fact]
    public async Task SqlServerWithoutAConnectionString_StopsStart()
    {
        await using var app = new ShieldAppFactory
        {
            Settings = new Dictionary<string, string?>
            {
                ["Shield:Database:Provider"] = "SqlServer",
                ["ConnectionStrings:Shield"] = "",
            },
        };

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains(error.Failures, f => f.Contains("ConnectionStrings__Shield", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADatabaseBehindTheCode_StopsStart_WhenMigrationsAreNotAppliedOnStart()
    {
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { ["Shield:Database:MigrateOnStart"] = "false" } };

        var error = Assert.Throws<InvalidOperationException>(() => app.Services);

        Assert.Contains("Apply the idempotent migration script", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMigratedDatabase_StartsWithMigrateOnStartOff()
    {
        using var folder = new TempFolder();
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path })
        {
            _ = first.Services;
        }

        await using var second = new ShieldAppFactory
        {
            DataDirectory = folder.Path,
            Settings = new Dictionary<string, string?> { ["Shield:Database:MigrateOnStart"] = "false" },
        };
        var response = await second.CreateBrowserLikeClient().GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ADatabaseOfAnEarlierPreRelease_StopsStart_SayingToStartAnew()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "shield.db");
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=false"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE \"__EFMigrationsHistory\" (\"MigrationId\" TEXT PRIMARY KEY, \"ProductVersion\" TEXT NOT NULL); " +
                "INSERT INTO \"__EFMigrationsHistory\" VALUES ('20261123224423_Initial', '10.0.0');";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var app = new ShieldAppFactory { DataDirectory = folder.Path };

        var error = Assert.Throws<InvalidOperationException>(() => app.Services);

        Assert.Contains("20261123224423_Initial", error.Message, StringComparison.Ordinal);
        Assert.Contains("Start on a new database", error.Message, StringComparison.Ordinal);
    }
}
