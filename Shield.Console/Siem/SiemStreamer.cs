using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Auditing;
using Shield.Console.Cluster;
using Shield.Core.Persistence;

namespace Shield.Console.Siem;

/// <summary>
/// Streams the audit trail to every enabled sink of <c>Shield:Siem:Sinks</c>, each on its own, apart from the relay
/// and the writer: it only reads what is committed. In a cluster each sink runs on one instance at a time (the lease
/// <c>siem:NAME</c>). The sinks of an instance share one <see cref="SiemFeed"/>: a record is read and written in a
/// format once, however many sinks send it.
/// </summary>
internal sealed class SiemStreamer(
    SiemStatus status,
    IOptions<SiemOptions> options,
    IHostEnvironment environment,
    ClusterJobs jobs,
    SiemFeed feed,
    IDbContextFactory<ShieldDbContext> contexts,
    AuditKeyring keys,
    TimeProvider time,
    ILogger<SiemStreamer> logger) : BackgroundService
{
    public const string LeasePrefix = "siem:";
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static readonly string ProductVersion =
        typeof(SiemStreamer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(status.Sinks.Where(s => s.Sink.Enabled).Select(state =>
        {
            var authorities = SiemCertificates.Path(state.Sink, environment.ContentRootPath) is { } path ? SiemCertificates.Load(path) : null;
            var sink = new SiemSink(state, feed, options.Value, jobs.Create(LeasePrefix + state.Sink.Name, SiemSink.LeaseInterval),
                contexts, keys, cancellationToken => OpenAsync(state.Sink, authorities, cancellationToken), ProductVersion, time, logger);
            return Task.Run(() => sink.RunAsync(stoppingToken), stoppingToken);
        }));

    private async Task<ISiemTransport> OpenAsync(SiemSinkOptions sink, X509Certificate2Collection? authorities, CancellationToken cancellationToken) =>
        sink.Protocol == SiemProtocol.OtlpHttp
            ? new OtlpLogsTransport(sink, authorities, ProductVersion, time)
            : await SyslogConnection.OpenAsync(sink, authorities, ConnectTimeout, cancellationToken);
}
