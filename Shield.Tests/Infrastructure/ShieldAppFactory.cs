using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Shield.Console.Accounts;
using Shield.Core.Accounts;
using Shield.Core.Persistence;
using Shield.Core.Persistence.PostgreSql;
using Shield.Core.Persistence.Sqlite;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// The real console on its own SQLite file in a temporary folder, with a known first administrator; or, with
/// <see cref="Postgres"/>, on a PostgreSQL database of its own named after that folder. Settings and service overrides
/// are set when it is created; a folder it made itself is deleted on disposal.
/// </summary>
public sealed class ShieldAppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@shield.test";
    public const string AdminPassword = "Adm1n-Passw0rd!";
    public const string Password = "Us3r-Passw0rd!x";

    private string? _ownDirectory;

    /// <summary>Configuration that overrides the defaults below; a null value removes a default.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Service overrides applied after the console's own registrations.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    /// <summary>The hosting environment; Development (the default) is how <c>dotnet run</c> starts the console.</summary>
    public string Environment { get; init; } = "Development";

    /// <summary>A folder shared by several app instances (a restart); by default a fresh temporary one.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// Runs the console on this PostgreSQL server instead of SQLite, in a database named after <see cref="Folder"/>, so
    /// that instances sharing a folder share the database; its anchor file is kept in the folder.
    /// </summary>
    public PostgresServer? Postgres { get; init; }

    public string DatabasePath => Path.Combine(Folder, "shield.db");

    /// <summary>The PostgreSQL database's name: one per folder.</summary>
    public string PostgresDatabase => "shield_" + Path.GetFileName(Folder).Replace('-', '_').ToLowerInvariant();

    /// <summary>The folder holding the database: a fresh temporary one unless <see cref="DataDirectory"/> is set.</summary>
    public string Folder => DataDirectory ?? (_ownDirectory ??= Directory.CreateTempSubdirectory("shield-tests-").FullName);

    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var values = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:Shield"] = "Information",
            ["ConnectionStrings:Shield"] = $"Data Source={DatabasePath}",
            ["Shield:Bootstrap:AdminEmail"] = AdminEmail,
            ["Shield:Bootstrap:AdminPassword"] = AdminPassword,
        };
        if (Postgres is not null)
        {
            values["Shield:Database:Provider"] = "PostgreSql";
            values["ConnectionStrings:Shield"] = Postgres.ConnectionString(PostgresDatabase);
            values["Shield:Audit:AnchorFile"] = Path.Combine(Folder, "anchors", "audit.anchors");
        }

        foreach (var (key, value) in Settings)
        {
            values[key] = value;
            if (value is null)
            {
                values.Remove(key);
            }
        }

        foreach (var (key, value) in values)
        {
            builder.UseSetting(key, value);
        }

        builder.UseEnvironment(Environment);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(values));
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
        builder.ConfigureTestServices(services => services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientAddress>());
        if (TestServices is not null)
        {
            builder.ConfigureTestServices(TestServices);
        }
    }

    /// <summary>
    /// A context on this app's database made without any of the app's services (the app need not run), as another
    /// instance or someone with access to the database would reach it.
    /// </summary>
    public ShieldDbContext OpenDatabase() => Postgres is null
        ? new SqliteShieldDbContext(new DbContextOptionsBuilder<SqliteShieldDbContext>()
            .UseSqlite($"Data Source={DatabasePath};Pooling=false").UseApplicationServiceProvider(DesignTimeServices.Instance).Options)
        : new PostgreSqlShieldDbContext(new DbContextOptionsBuilder<PostgreSqlShieldDbContext>()
            .UseNpgsql(Postgres.ConnectionString(PostgresDatabase)).UseApplicationServiceProvider(DesignTimeServices.Instance).Options);

    /// <summary>A client that does not follow redirects and keeps cookies, as a browser would over HTTPS.</summary>
    public HttpClient CreateBrowserLikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });

    /// <summary>Creates a local account with the given roles through the same code path as the console.</summary>
    public async Task<UserView> CreateUserAsync(string email, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<UserDirectory>()
            .CreateAsync(new CreateUserRequest(email, Password, roles, true), actorId: null);
        return result.Value ?? throw new InvalidOperationException(result.Refusal?.Message);
    }

    /// <summary>A unique email for a test's own account.</summary>
    public static string NewEmail(string role = "user") => $"{role}-{Guid.NewGuid():N}@shield.test";

    public static string[] RolesFor(string? role) => role is null ? [] : [role];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearPool(new SqliteConnection($"Data Source={DatabasePath}"));
        if (Postgres is not null)
        {
            await using var connection = new NpgsqlConnection(Postgres.ConnectionString(PostgresDatabase));
            NpgsqlConnection.ClearPool(connection);
        }
        if (_ownDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open is removed with the temp folder later; never fail a test over cleanup.
            }
        }
    }

    /// <summary>The admin and default role names, for table tests.</summary>
    public static readonly string[] AllRoles = [ShieldRoles.Admin, ShieldRoles.Reviewer, ShieldRoles.Auditor];
}
