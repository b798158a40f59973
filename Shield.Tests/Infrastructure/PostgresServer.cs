using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server from Debian's <c>postgresql</c> package, made in a temporary folder and listening on a free port
/// of 127.0.0.1, once for all the tests of <see cref="PostgresCollection"/>; stopped and removed after them. Each app
/// on it gets a database of its own, which Shield creates as it migrates (<see cref="ShieldAppFactory.Postgres"/>).
/// PostgreSQL refuses to run as root, so as root the server runs as the package's <c>postgres</c> account. A watchdog
/// process stops the server and removes its folder when the test process ends however it ends (a crash, a kill, an
/// aborted run): it waits for the end of a pipe that only the test process holds open.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string User = "shield";
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2); // a guard against a hang, not a measurement

    private readonly string _password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly string? _runAs = Environment.UserName == "root" ? "postgres" : null;
    private string _bin = "";
    private string _folder = "";
    private int _port;
    private Process? _watchdog;

    private string Data => Path.Combine(_folder, "data");

    public async ValueTask InitializeAsync()
    {
        var cancel = TestContext.Current.CancellationToken;
        _bin = Binaries();
        _folder = Directory.CreateTempSubdirectory("shield-postgres-").FullName;
        if (_runAs is not null)
        {
            await RunAsync("chown", [$"{_runAs}:", _folder], asServer: false, cancel);
        }

        _watchdog = StartWatchdog();
        var passwordFile = Path.Combine(_folder, "password");
        await File.WriteAllTextAsync(passwordFile, _password, cancel);
        await RunAsync(Path.Combine(_bin, "initdb"),
            ["-D", Data, "-U", User, $"--pwfile={passwordFile}", "--auth-host=scram-sha-256", "--auth-local=peer",
             "--no-locale", "--encoding=UTF8", "--no-sync"], asServer: true, cancel);
        File.Delete(passwordFile);

        _port = ChildProcess.FreePort();
        // Durability settings off: a test server's data is thrown away.
        var options = $"-c listen_addresses=127.0.0.1 -p {_port} -k {_folder} -c max_connections=300 " +
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["start", "-w", "-D", Data, "-l", Path.Combine(_folder, "server.log"), "-o", options], asServer: true, cancel);
    }

    /// <summary>A connection string for the named database on this server (which need not exist yet).</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = _port,
        Username = User,
        Password = _password,
        Database = database,
    }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_watchdog is null)
        {
            return;
        }

        // Closing the pipe is what ends the watchdog's wait: it stops the server and removes the folder.
        using var watchdog = _watchdog;
        watchdog.StandardInput.Close();
        await watchdog.WaitForExitAsync(CancellationToken.None).WaitAsync(Bound, CancellationToken.None);
    }

    // Started before initdb, so that a start that fails half-way is cleaned up too.
    private Process StartWatchdog()
    {
        const string Script = "cat >/dev/null; \"$1/pg_ctl\" stop -D \"$2/data\" -m immediate >/dev/null 2>&1; rm -rf \"$2\"";
        var start = Command("sh", ["-c", Script, "watchdog", _bin, _folder], asServer: true);
        start.RedirectStandardInput = true;
        return Process.Start(start) ?? throw new InvalidOperationException("The PostgreSQL watchdog (sh) could not be started.");
    }

    // The newest PostgreSQL the package installed (/usr/lib/postgresql/<version>/bin).
    private static string Binaries() =>
        Directory.Exists("/usr/lib/postgresql")
        && Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
            .Where(d => File.Exists(Path.Combine(d.Bin, "initdb")))
            .OrderByDescending(d => d.Version).FirstOrDefault().Bin is { } bin
            ? bin
            : throw new InvalidOperationException("PostgreSQL is not installed: the PostgreSQL tests need Debian's postgresql package (apt-get install postgresql; .ci/run installs it).");

    private async Task RunAsync(string program, string[] arguments, bool asServer, CancellationToken cancellationToken)
    {
        var start = Command(program, arguments, asServer);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var (exit, output, errors) = await ChildProcess.RunAsync(start, Bound, cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({exit}): {output} {errors}");
        }
    }

    // The program in the server's folder, as the server's account when that is not this one.
    private ProcessStartInfo Command(string program, IEnumerable<string> arguments, bool asServer)
    {
        var runAs = asServer && _runAs is not null;
        var start = new ProcessStartInfo(runAs ? "runuser" : program) { WorkingDirectory = _folder };
        foreach (var argument in (runAs ? ["-u", _runAs!, "--", program] : Enumerable.Empty<string>()).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}

/// <summary>The tests that run on <see cref="PostgresServer"/>: one server for all of them, started when the first runs.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
