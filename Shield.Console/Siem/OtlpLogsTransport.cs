using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace Shield.Console.Siem;

/// <summary>
/// OTLP/HTTP logs (protobuf) to an OpenTelemetry collector: one POST per batch to the sink's <c>Endpoint</c>; the
/// batch counts as sent only when the collector answers 2xx, so nothing is sent again after an outage.
/// </summary>
internal sealed class OtlpLogsTransport : ISiemTransport
{
    private readonly HttpClient _client;
    private readonly Uri _endpoint;
    private readonly string _productVersion;
    private readonly TimeProvider _time;

    public OtlpLogsTransport(SiemSinkOptions sink, X509Certificate2Collection? authorities, string productVersion, TimeProvider time)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (authorities is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => SiemCertificates.Accept(certificate, errors, authorities);
        }

        _client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        _endpoint = new Uri(sink.Endpoint!);
        _productVersion = productVersion;
        _time = time;
    }

    public bool Acknowledges => true;

    public bool Broken => false;

    public async Task SendAsync(IReadOnlyList<SiemMessage> messages, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(OtlpLogsRequest.Write(messages, _productVersion, _time.GetUtcNow().UtcDateTime));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _client.PostAsync(_endpoint, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the collector answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}
