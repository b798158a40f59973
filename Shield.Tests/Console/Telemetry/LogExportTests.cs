using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Logs;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Telemetry;

public sealed class LogExportTests
{
    [Fact]
    public async Task TheGeneratedAdministratorPassword_IsLoggedLocally_ButNeverExported()
    {
        var exported = new List<LogRecord>();
        await using var app = new ShieldAppFactory
        {
            Settings = new Dictionary<string, string?> { ["Shield:Bootstrap:AdminPassword"] = null },
            TestServices = services => services.AddOpenTelemetry().WithLogging(logging => logging.AddInMemoryExporter(exported)),
        };

        _ = app.Services;

        var local = Assert.Single(app.Logs.Messages("AdminBootstrapper"));
        var password = local.Split("generated password ")[1].Split(' ')[0];
        lock (exported)
        {
            Assert.NotEmpty(exported);
            Assert.DoesNotContain(exported, record => (record.FormattedMessage ?? record.Body ?? "").Contains(password, StringComparison.Ordinal)
                || record.Attributes?.Any(a => a.Value?.ToString() == password) == true);
        }
    }
}
