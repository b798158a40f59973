using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Shield.Core.Siem;

namespace Shield.Console.Siem;

/// <summary>
/// One TCP connection to a syslog receiver, in TLS when the sink says so (RFC 5425); it only ever writes, each message
/// an RFC 5424 message framed by octet counting. TCP acknowledges nothing, so the sink resends after reconnecting.
/// </summary>
internal sealed class SyslogConnection : ISiemTransport
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _frames = new(64 * 1024);
    private readonly string _hostName = Environment.MachineName;

    private SyslogConnection(TcpClient client, Stream stream)
    {
        _client = client;
        _stream = stream;
    }

    public static async Task<SyslogConnection> OpenAsync(SiemSinkOptions sink, X509Certificate2Collection? authorities, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(sink.Host, sink.Port, limit.Token);
            Stream stream = client.GetStream();
            if (sink.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = sink.Host,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = (_, certificate, _, errors) => SiemCertificates.Accept(certificate, errors, authorities),
                }, limit.Token);
            }

            return new SyslogConnection(client, stream);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether the receiver has closed its end: a syslog receiver never writes, so a readable socket with nothing to
    /// read means it went away. Checked before each write, so that a receiver that stopped is not written into.
    /// </summary>
    public bool Broken
    {
        get
        {
            var socket = _client.Client;
            try
            {
                return !socket.Connected || (socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
            }
            catch (SocketException)
            {
                return true;
            }
        }
    }

    public bool Acknowledges => false;

    public async Task SendAsync(IReadOnlyList<SiemMessage> messages, CancellationToken cancellationToken)
    {
        _frames.ResetWrittenCount();
        foreach (var message in messages)
        {
            SyslogFrame.Write(_frames, SiemSeverities.Syslog(message.Severity), message.AtUtc, _hostName, message.EventType, message.Body);
        }

        await _stream.WriteAsync(_frames.WrittenMemory, cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
