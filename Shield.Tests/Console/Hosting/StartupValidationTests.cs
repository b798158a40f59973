using Microsoft.Extensions.Options;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Hosting;

/// <summary>Bad settings stop the console at start with a message that says how to fix them.</summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "Shield:Database:Provider", "Postgres", "Set it to 'Sqlite' (the embedded default) or 'SqlServer'" },
        { "Shield:Bootstrap:AdminPassword", "password", "Shield:Bootstrap:AdminPassword is too weak" },
        { "Shield:Bootstrap:AdminEmail", "not an email", "is not an email address" },
        { "Shield:Telemetry:OtlpEndpoint", "collector:4317", "Set it to the OTLP/gRPC collector" },
        { "AzureAd:TenantId", "7f3c1d2e-0000-4000-8000-00000000aa01", "AzureAd:ClientId is ''" },
        { "Shield:DataProtection:CertificatePath", "/no/such/shield.pfx", "Shield:DataProtection:CertificatePath '/no/such/shield.pfx' cannot be used" },
        { "Shield:Audit:RetentionDays", "0", "Shield:Audit:RetentionDays is 0; give a number of days from 1 to 36500" },
        { "Shield:Audit:BatchSize", "0", "Shield:Audit:BatchSize is 0; give a number from 1 to 10000" },
        { "Shield:Audit:CheckpointInterval", "-00:00:01", "Shield:Audit:CheckpointInterval is -00:00:01" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSetting_StopsStart_WithAFix(string key, string? value, string expected)
    {
        await using var app = new ShieldAppFactory { Settings = new Dictionary<string, string?> { [key] = value } };

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
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
}
