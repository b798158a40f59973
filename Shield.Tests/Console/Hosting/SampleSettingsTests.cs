using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Shield.Console.Accounts;
using Shield.Console.Authentication;
using Shield.Console.Registry;
using Shield.Console.Security;
using Shield.Console.Telemetry;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Hosting;

/// <summary><c>appsettings.sample.json</c> shows every setting, and the console starts on it as it stands.</summary>
public sealed class SampleSettingsTests
{
    private static readonly string SamplePath = Repository.PathOf("appsettings.sample.json");

    public static TheoryData<string, Type> OptionsSections => new()
    {
        { DatabaseOptions.SectionName, typeof(DatabaseOptions) },
        { Shield.Core.Cluster.ClusterOptions.SectionName, typeof(Shield.Core.Cluster.ClusterOptions) },
        { BootstrapOptions.SectionName, typeof(BootstrapOptions) },
        { SignInOptions.SectionName, typeof(SignInOptions) },
        { TelemetryOptions.SectionName, typeof(TelemetryOptions) },
        { KeyProtectionOptions.SectionName, typeof(KeyProtectionOptions) },
        { "AzureAd", typeof(EntraSettings) },
        { RegistryOptions.SectionName, typeof(RegistryOptions) },
        { Shield.Console.Outbound.OutboundOptions.SectionName, typeof(Shield.Console.Outbound.OutboundOptions) },
        { Shield.Console.Policy.ApprovalOptions.SectionName, typeof(Shield.Console.Policy.ApprovalOptions) },
        { Shield.Console.Sessions.AgentSessionOptions.SectionName, typeof(Shield.Console.Sessions.AgentSessionOptions) },
        { Shield.Console.Auditing.AuditOptions.SectionName, typeof(Shield.Console.Auditing.AuditOptions) },
        { Shield.Console.Relay.RelayOptions.SectionName, typeof(Shield.Console.Relay.RelayOptions) },
        { Shield.Console.Siem.SiemOptions.SectionName, typeof(Shield.Console.Siem.SiemOptions) },
        { Shield.Console.Siem.SiemOptions.SectionName + ":Sinks:0", typeof(Shield.Console.Siem.SiemSinkOptions) },
    };

    [Theory]
    [MemberData(nameof(OptionsSections))]
    public void EverySettingOfAnOptionsClass_IsInTheSample(string section, Type options)
    {
        var sample = JsonDocument.Parse(File.ReadAllText(SamplePath)).RootElement;
        var node = section.Split(':').Aggregate(sample, (current, name) =>
            current.ValueKind == JsonValueKind.Array ? current[int.Parse(name, System.Globalization.CultureInfo.InvariantCulture)] : current.GetProperty(name));
        var settings = options.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod?.IsPublic == true && p.Name != nameof(DatabaseOptions.ConnectionString));

        Assert.All(settings, setting => Assert.True(node.TryGetProperty(setting.Name, out _), $"{section}:{setting.Name} is missing from appsettings.sample.json"));
        Assert.True(sample.GetProperty("ConnectionStrings").TryGetProperty(DatabaseOptions.ConnectionStringName, out _));
    }

    [Fact]
    public async Task TheConsoleStarts_OnTheSampleAsItStands()
    {
        var sample = new ConfigurationBuilder().AddJsonFile(SamplePath).Build()
            .AsEnumerable().Where(pair => pair.Value is not null && pair.Key != "ConnectionStrings:Shield" && pair.Key != "Urls")
            .ToDictionary(pair => pair.Key, pair => pair.Value);
        sample["Shield:Bootstrap:AdminPassword"] = null; // the sample leaves it empty: a password is generated
        await using var app = new ShieldAppFactory { Settings = sample };

        var response = await app.CreateBrowserLikeClient().GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(app.Logs.Messages("AdminBootstrapper"), m => m.Contains("admin@shield.local", StringComparison.Ordinal));
    }
}
