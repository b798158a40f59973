using Microsoft.Extensions.Options;
using Shield.Console.Accounts;
using Shield.Core.Persistence;

namespace Shield.Console.Demo;

internal static class DemoExtensions
{
    /// <summary>The demo's own database, so that its sample data never appears outside demo mode.</summary>
    public const string DatabaseFile = "data/shield-demo.db";

    /// <summary><c>--demo</c> on the command line is <c>Shield:Demo:Enabled=true</c>.</summary>
    public static string[] WithDemoFlag(string[] args) => [.. args.Select(a => a == "--demo" ? $"--{DemoOptions.SectionName}:Enabled=true" : a)];

    public static bool IsDemo(this WebApplicationBuilder builder) => builder.Configuration.GetValue<bool>($"{DemoOptions.SectionName}:Enabled");

    /// <summary>
    /// Before anything reads the settings: in demo mode, the demo's own SQLite file unless a database is configured, and
    /// the demo's administrator as the first one (the seeder prints its password with the others) unless one is configured.
    /// </summary>
    public static void UseDemoDatabase(this WebApplicationBuilder builder)
    {
        if (!builder.IsDemo())
        {
            return;
        }

        var settings = new Dictionary<string, string?>();
        if (string.IsNullOrEmpty(builder.Configuration.GetConnectionString(DatabaseOptions.ConnectionStringName)))
        {
            settings[$"ConnectionStrings:{DatabaseOptions.ConnectionStringName}"] = $"Data Source={DatabaseFile}";
            settings[$"{DatabaseOptions.SectionName}:Provider"] = "Sqlite";
        }

        if (string.IsNullOrEmpty(builder.Configuration[$"{BootstrapOptions.SectionName}:AdminEmail"]))
        {
            settings[$"{BootstrapOptions.SectionName}:AdminEmail"] = DemoCredentials.AdminEmail;
            settings[$"{BootstrapOptions.SectionName}:AdminPassword"] = PasswordPolicy.Generate();
        }

        builder.Configuration.AddInMemoryCollection(settings);
    }

    /// <summary>Last of the registrations: the demo server and seeder start after the database and the audit writer.</summary>
    public static void AddDemo(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DemoOptions>().Bind(builder.Configuration.GetSection(DemoOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DemoOptions>, DemoOptionsValidator>();
        if (!builder.IsDemo())
        {
            return;
        }

        services.AddSingleton<DemoCredentials>();
        services.AddSingleton<DemoUpstream>();
        services.AddHostedService(provider => provider.GetRequiredService<DemoUpstream>());
        services.AddHostedService<DemoSeeder>();
    }
}
