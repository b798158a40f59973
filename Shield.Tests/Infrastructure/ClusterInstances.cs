using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Shield.Core.Approvals;

namespace Shield.Tests.Infrastructure;

/// <summary>Instances of one Shield on one database (a shared folder) and one fake clock, each with its own name.</summary>
public sealed class ClusterInstances : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PostgresServer? _postgres;
    private readonly bool _cluster;

    /// <param name="postgres">The server their database is on; SQLite without one.</param>
    /// <param name="cluster">Whether they run with <c>Shield:Cluster:Enabled</c> (a server database only).</param>
    public ClusterInstances(PostgresServer? postgres = null, bool cluster = false)
    {
        _postgres = postgres;
        _cluster = cluster;
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Start = Time.GetUtcNow().UtcDateTime;
    }

    public FakeTimeProvider Time { get; }

    /// <summary>The fake clock's time when the instances were made.</summary>
    public DateTime Start { get; }

    /// <summary>An instance named <paramref name="name"/>, started, logging its cluster jobs' rounds (Debug).</summary>
    public ShieldAppFactory Instance(string name, Dictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Shield:Cluster:InstanceName"] = name,
            ["Shield:Cluster:Enabled"] = _cluster ? "true" : "false",
            ["Logging:LogLevel:Shield.Console.Cluster"] = "Debug",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var app = new ShieldAppFactory
        {
            Postgres = _postgres,
            DataDirectory = _folder.Path,
            Settings = values,
            TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)),
        };
        _ = app.Services;
        return app;
    }

    /// <summary>A request as if its call waited on some instance, due at <paramref name="expiresAtUtc"/>.</summary>
    public static ApprovalRequest Pending(DateTime expiresAtUtc) => new()
    {
        Id = Guid.NewGuid(), SessionId = Guid.NewGuid(), AgentName = "invoice-bot", Task = "t", Server = "crm", Tool = "delete_record", Reason = "r",
        ArgumentsFingerprint = "hmac:1", RequestedAtUtc = expiresAtUtc.AddMinutes(-5), ExpiresAtUtc = expiresAtUtc,
    };

    public void Dispose() => _folder.Dispose();
}
