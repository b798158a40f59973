using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary><c>Shield:Siem</c>: where the audit trail is streamed, as it is committed (docs/audit.md#streaming-to-a-siem).</summary>
public sealed class SiemOptions
{
    public const string SectionName = "Shield:Siem";

    /// <summary>The receivers, each with its own cursor in the database.</summary>
    public List<SiemSinkOptions> Sinks { get; set; } = [];

    /// <summary>How often a sink that has sent everything looks for newly committed records.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts while a receiver cannot be reached (the wait doubles from a second, with jitter).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>How a sink reaches its receiver.</summary>
public enum SiemProtocol
{
    /// <summary>RFC 5424 over TCP with octet counting, or over TLS (RFC 5425) with <see cref="SiemSinkOptions.Tls"/>.</summary>
    Syslog,

    /// <summary>OTLP logs over HTTP (protobuf) to an OpenTelemetry collector's <see cref="SiemSinkOptions.Endpoint"/>.</summary>
    OtlpHttp,
}

/// <summary>One receiver: a syslog server (RFC 5424 over TCP, or over TLS with <see cref="Tls"/>), or an OTLP collector.</summary>
public sealed class SiemSinkOptions
{
    /// <summary>The sink's name: it keys its cursor, metric, health entry and lease. Renaming a sink starts it over.</summary>
    public string Name { get; set; } = "";

    /// <summary>Off keeps the sink configured (and its cursor) without sending.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>Syslog</c> (the default) or <c>OtlpHttp</c>.</summary>
    public SiemProtocol Protocol { get; set; } = SiemProtocol.Syslog;

    /// <summary>OtlpHttp: the collector's logs URL, such as <c>https://collector:4318/v1/logs</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Syslog: the receiver's host name or address.</summary>
    public string Host { get; set; } = "";

    /// <summary>Syslog: the receiver's TCP port (syslog over TLS is usually 6514).</summary>
    public int Port { get; set; }

    /// <summary>Syslog: speak TLS (RFC 5425): the receiver's certificate must chain to <see cref="CaFile"/> (or to the system's roots) and name <see cref="Host"/>.</summary>
    public bool Tls { get; set; }

    /// <summary>
    /// A PEM file of the certificate authorities the receiver's certificate must chain to (syslog over TLS, or an https
    /// endpoint); empty: the system's roots.
    /// </summary>
    public string? CaFile { get; set; }

    /// <summary>What each message holds: <c>Ocsf</c> (JSON, OCSF 1.8.0 API Activity) or <c>Cef</c>.</summary>
    public SiemFormatKind Format { get; set; } = SiemFormatKind.Ocsf;

    /// <summary>Records the sink may be behind the trail before Shield's health turns Degraded.</summary>
    public long MaxLag { get; set; } = 10_000;

    /// <summary>
    /// Syslog: records sent again after a connection is made (at start, and after every reconnect): plain TCP acknowledges
    /// nothing, so what was in flight when a connection broke may be lost unless it is sent again. Receivers drop
    /// duplicates by sequence.
    /// </summary>
    public int ResendOnReconnect { get; set; } = 1_000;
}
