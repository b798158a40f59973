using System.Diagnostics;
using System.Reflection;
using Shield.Console.Accounts;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Browser;

/// <summary>
/// Shield as an operator runs it: published once (<c>dotnet publish</c> of the build under test into a temporary
/// folder), then started as a process of its own in Production on a free 127.0.0.1 port, over HTTPS with a certificate
/// made here (which also protects its Data Protection keys), with a temporary SQLite database and a generated
/// administrator password, all set the way the README tells operators to. Stopped and removed at the end.
/// </summary>
public sealed class PublishedConsole : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private readonly TempFolder _folder = new();
    private ChildProcess? _process;

    public string Root => _process?.Url ?? throw new InvalidOperationException("The published console has not started.");

    public string AdminPassword { get; } = PasswordPolicy.Generate();

    public async ValueTask InitializeAsync()
    {
        var cancel = TestContext.Current.CancellationToken;
        var app = Path.Combine(_folder.Path, "app");
        // The build under test, published as it is (the test run has built it already).
        var configuration = typeof(Program).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var publish = Start(Repository.Root, "publish", Repository.PathOf("Shield.Console", "Shield.Console.csproj"), "--no-build", "-c", configuration, "-o", app);
        var (exitCode, output, errors) = await ChildProcess.RunAsync(publish, PublishTimeout, cancel);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({exitCode}): {output} {errors}");
        }

        var certificate = Path.Combine(_folder.Path, "shield.pfx");
        const string certificatePassword = "pfx-Passw0rd";
        TestCertificate.WritePfx(certificate, certificatePassword);
        var port = ChildProcess.FreePort();
        var run = Start(app, Path.Combine(app, "Shield.Console.dll"));
        foreach (var inherited in run.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)
            || k.StartsWith("Shield__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
        {
            run.Environment.Remove(inherited);
        }

        run.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        run.Environment["Urls"] = $"https://127.0.0.1:{port}";
        run.Environment["Kestrel__Certificates__Default__Path"] = certificate;
        run.Environment["Kestrel__Certificates__Default__Password"] = certificatePassword;
        run.Environment["ConnectionStrings__Shield"] = $"Data Source={Path.Combine(_folder.Path, "shield.db")}";
        run.Environment["Shield__Bootstrap__AdminEmail"] = ShieldAppFactory.AdminEmail;
        run.Environment["Shield__Bootstrap__AdminPassword"] = AdminPassword;
        run.Environment["Shield__DataProtection__CertificatePath"] = certificate;
        run.Environment["Shield__DataProtection__CertificatePassword"] = certificatePassword;
        _process = new ChildProcess(Process.Start(run)!, $"https://127.0.0.1:{port}");
        await _process.WaitForOutputAsync("Application started", cancel, StartTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    // The dotnet host running these tests (set by the dotnet CLI), or the one on PATH.
    private static ProcessStartInfo Start(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
