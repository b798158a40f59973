using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

/// <summary>The trail streamed to real syslog receivers on loopback: rsyslogd over TCP, and a TLS listener with a test CA.</summary>
public sealed class SyslogStreamingTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRecordReachesRsyslog_InOrder_WithSignedAnchors_AndNoneIsMissingAfterTheReceiverIsKilledAndRestarted()
    {
        await using var receiver = new RsyslogReceiver();
        receiver.Start();
        using var folder = new TempFolder();
        await using var app = new ShieldAppFactory { Settings = Sink("rsyslog", receiver.Port), DataDirectory = folder.Path };
        var writer = app.Services.GetRequiredService<AuditWriter>();

        var head = await AppendAsync(writer, 10);
        await receiver.WaitForAsync(lines => lines.Any(l => !l.IsAnchor && l.Sequence == head), _cancel);

        // The receiver dies mid-stream; the trail grows while it is away, and after it is back.
        await receiver.KillAsync();
        await AppendAsync(writer, 10);
        receiver.Start();
        head = await AppendAsync(writer, 10);
        var lines = await receiver.WaitForAsync(lines => lines.Any(l => !l.IsAnchor && l.Sequence == head), _cancel);

        var records = lines.Where(l => !l.IsAnchor).ToList();
        Assert.Equal(Enumerable.Range(1, (int)head).Select(i => (long)i), records.Select(l => l.Sequence).Distinct().Order());
        AssertInChainOrder(records.Select(l => l.Sequence).ToList());
        Assert.All(records, l => Assert.Equal("shield", l.App));
        await using var db = await Db(app);
        var stored = await db.AuditRecords.AsNoTracking().ToDictionaryAsync(r => r.Sequence, _cancel);
        Assert.All(records, l =>
        {
            var shield = JsonDocument.Parse(l.Body).RootElement.GetProperty("unmapped").GetProperty("shield");
            Assert.Equal(stored[l.Sequence].Hash, shield.GetProperty("hash").GetString());
            Assert.Equal(AuditChain.ComputeHash(stored[l.Sequence]), shield.GetProperty("hash").GetString());
        });

        // Every checkpoint rides along, signed as the anchor file's lines are, after the record it names.
        var key = await app.Services.GetRequiredService<AuditKeyring>().ChainKeyAsync(_cancel);
        var anchors = lines.Where(l => l.IsAnchor).Select(l => AuditAnchor.Parse(
            JsonDocument.Parse(l.Body).RootElement.GetProperty("unmapped").GetProperty("shield_anchor").GetRawText(), 0)).ToList();
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Select(c => c.Sequence).ToListAsync(_cancel);
        Assert.Subset(anchors.Select(a => a.Sequence).ToHashSet(), checkpoints.Where(s => s <= head).ToHashSet());
        Assert.All(anchors, a =>
        {
            Assert.True(a.IsSignedBy(key));
            Assert.Equal(stored[a.Sequence].Hash, a.Hash);
        });
        var firstAnchor = lines.ToList().FindIndex(l => l.IsAnchor);
        Assert.Contains(lines.Take(firstAnchor), l => !l.IsAnchor && l.Sequence == anchors[0].Sequence);

        // A sink writes its cursor at most once a second, and on stopping what it had been sent since.
        await app.DisposeAsync();
        await using var stopped = app.OpenDatabase();
        var cursor = await stopped.SiemCursors.SingleAsync(_cancel);
        Assert.Equal(("rsyslog", head), (cursor.Name, cursor.Sequence));
    }

    [Fact]
    public async Task OverTls_TheReceiverIsCheckedAgainstTheConfiguredCa_AndOneItDidNotIssueIsSentNothing()
    {
        using var folder = new TempFolder();
        var (certificate, caFile) = Certificate(folder, "receiver");
        var (_, otherCa) = Certificate(folder, "other");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var settings = new Dictionary<string, string?>(Sink("tls", port, caFile))
        {
            ["Shield:Siem:Sinks:1:Name"] = "untrusted",
            ["Shield:Siem:Sinks:1:Host"] = "127.0.0.1",
            ["Shield:Siem:Sinks:1:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Shield:Siem:Sinks:1:Tls"] = "true",
            ["Shield:Siem:Sinks:1:CaFile"] = otherCa,
        };
        await using var app = new ShieldAppFactory { Settings = settings };
        var head = await AppendAsync(app.Services.GetRequiredService<AuditWriter>(), 3);

        // Both sinks connect; the one that trusts the other CA refuses the certificate (during the handshake, or right
        // after it on Linux, where the client checks it once the handshake is done) and sends nothing.
        var refused = false;
        List<string> received = [];
        while (!refused || !received.Any(m => m.Contains($"\"sequence\":{head},", StringComparison.Ordinal)))
        {
            using var client = await listener.AcceptTcpClientAsync(_cancel);
            await using var tls = new SslStream(client.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, _cancel);
            }
            catch (Exception error) when (error is AuthenticationException or IOException)
            {
                refused = true;
                continue;
            }

            var frames = await ReadFramesAsync(tls, head);
            refused |= frames.Count == 0;
            received.AddRange(frames);
        }

        Assert.Contains(received, m => m.Contains("\"class_uid\":6003", StringComparison.Ordinal));
        await using var db = await Db(app);
        Assert.False(await db.SiemCursors.AnyAsync(c => c.Name == "untrusted", _cancel)); // it never got as far as sending
    }

    /// <summary>In chain order: each record follows the one before it, or starts a resend of records already sent.</summary>
    internal static void AssertInChainOrder(IReadOnlyList<long> sequences)
    {
        for (var i = 1; i < sequences.Count; i++)
        {
            Assert.True(sequences[i] == sequences[i - 1] + 1 || sequences[i] <= sequences[i - 1], $"Record {sequences[i]} came after record {sequences[i - 1]}");
        }
    }

    /// <summary>Reads octet-counted frames (RFC 6587) until one holds record <paramref name="through"/>, or the sender closes.</summary>
    private async Task<List<string>> ReadFramesAsync(Stream stream, long through)
    {
        List<string> frames = [];
        var reader = new BufferedStream(stream);
        while (!frames.Any(f => f.Contains($"\"sequence\":{through},", StringComparison.Ordinal)))
        {
            var length = 0;
            int b;
            while ((b = reader.ReadByte()) != ' ')
            {
                if (b == -1 && length == 0)
                {
                    return frames;
                }

                Assert.InRange(b, '0', '9');
                length = length * 10 + (b - '0');
            }

            var frame = new byte[length];
            await reader.ReadExactlyAsync(frame, _cancel);
            frames.Add(Encoding.UTF8.GetString(frame));
        }

        Assert.All(frames, f => SyslogLine.Parse(f));
        return frames;
    }

    private static (X509Certificate2 Certificate, string CaFile) Certificate(TempFolder folder, string name)
    {
        var pfx = Path.Combine(folder.Path, name + ".pfx");
        TestCertificate.WritePfx(pfx, "test");
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfx, "test");
        var pem = Path.Combine(folder.Path, name + ".pem");
        File.WriteAllText(pem, certificate.ExportCertificatePem());
        return (certificate, pem);
    }

    internal static Dictionary<string, string?> Sink(string name, int port, string? caFile = null) => new()
    {
        ["Shield:Audit:CheckpointInterval"] = "00:00:00",
        ["Shield:Siem:PollInterval"] = "00:00:00.05",
        ["Shield:Siem:MaxBackoff"] = "00:00:01",
        ["Shield:Siem:Sinks:0:Name"] = name,
        ["Shield:Siem:Sinks:0:Host"] = "127.0.0.1",
        ["Shield:Siem:Sinks:0:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Shield:Siem:Sinks:0:Tls"] = caFile is null ? "false" : "true",
        ["Shield:Siem:Sinks:0:CaFile"] = caFile,
    };

    internal async Task<long> AppendAsync(AuditWriter writer, int count)
    {
        long head = 0;
        for (var i = 0; i < count; i++)
        {
            head = (await writer.AppendAsync(new AuditRecord
            {
                AtUtc = DateTime.UtcNow, EventType = AuditEventTypes.CallCompleted, ActorKind = Actor.Agent, ActorId = "agent-1", ActorName = "bot",
                Server = "files", Tool = "read", Decision = "Allow", Outcome = "ok", Reason = $"call {i}",
            }, _cancel)).Sequence;
        }

        return head;
    }

    private static async Task<ShieldDbContext> Db(ShieldAppFactory app) =>
        await app.Services.GetRequiredService<IDbContextFactory<ShieldDbContext>>().CreateDbContextAsync();
}
