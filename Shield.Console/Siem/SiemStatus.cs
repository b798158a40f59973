using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Core.Diagnostics;
using Shield.Core.Persistence;

namespace Shield.Console.Siem;

/// <summary>One sink's lag as the database shows it, with this instance's word on why it last failed (if it streams it).</summary>
public sealed record SiemSinkLag(string Name, string Destination, bool Enabled, long Sequence, long Head, long MaxLag, DateTime? UpdatedAtUtc, bool StreamedHere, string? Error)
{
    public long Lag => Enabled ? Math.Max(0, Head - Sequence) : 0;

    public bool Behind => Lag > MaxLag;
}

/// <summary>
/// Every sink's state: this instance's (for the <c>shield.siem.lag</c> metric, reported by the instance streaming
/// the sink) and the database's (for health and the console, the same on every instance).
/// </summary>
public sealed class SiemStatus
{
    private readonly IDbContextFactory<ShieldDbContext> _contexts;

    public SiemStatus(IOptions<SiemOptions> options, IDbContextFactory<ShieldDbContext> contexts, IMeterFactory meters)
    {
        _contexts = contexts;
        Sinks = [.. options.Value.Sinks.Select(s => new SiemSinkState(s))];
        // Shield's meter as this host's meter factory makes it: the gauge reads this instance's sinks, not another host's.
        meters.Create(ShieldTelemetry.Name).CreateObservableGauge("shield.siem.lag", Measure, "{record}",
            "Audit records committed but not yet sent to the SIEM sink (reported by the instance streaming it).");
    }

    public IReadOnlyList<SiemSinkState> Sinks { get; }

    public async Task<IReadOnlyList<SiemSinkLag>> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (Sinks.Count == 0)
        {
            return [];
        }

        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        var head = await db.AuditRecords.MaxAsync(r => (long?)r.Sequence, cancellationToken) ?? 0;
        var cursors = await db.SiemCursors.AsNoTracking().ToDictionaryAsync(c => c.Name, cancellationToken);
        return [.. Sinks.Select(s => Lag(s, cursors.GetValueOrDefault(s.Sink.Name), head))];
    }

    private static SiemSinkLag Lag(SiemSinkState state, Core.Siem.SiemCursor? cursor, long head) =>
        new(state.Sink.Name, Destination(state.Sink), state.Sink.Enabled, cursor?.Sequence ?? 0, head, state.Sink.MaxLag,
            cursor?.UpdatedAtUtc, state.Streaming, state.Streaming ? state.Error : null);

    public static string Destination(SiemSinkOptions sink) => sink.Protocol == SiemProtocol.OtlpHttp
        ? $"OTLP {sink.Endpoint} ({sink.Format})"
        : $"syslog{(sink.Tls ? "+tls" : "")}://{sink.Host}:{sink.Port} ({sink.Format})";

    private IEnumerable<Measurement<long>> Measure() =>
        Sinks.Where(s => s.Streaming).Select(s => new Measurement<long>(s.Lag, new KeyValuePair<string, object?>("shield.siem.sink", s.Sink.Name)));
}
