using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Shield.Tests.Infrastructure;

/// <summary>One OTLP log record as a collector decoded it from the protobuf request.</summary>
public sealed record OtlpLogRecord(string ServiceName, string Scope, ulong TimeUnixNano, long SeverityNumber, string Body, string EventName, long Sequence, string? TraceId);

/// <summary>
/// An OTLP/HTTP logs receiver on 127.0.0.1 (the collector is not installable here): Kestrel taking
/// <c>POST /v1/logs</c> with an <c>ExportLogsServiceRequest</c>, decoded field by field with Google.Protobuf's
/// <see cref="CodedInputStream"/>. It can refuse requests (503), stop, and start again on the same port.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly Channel<OtlpLogRecord> _received = Channel.CreateUnbounded<OtlpLogRecord>();
    private WebApplication? _app;
    private int _refuse;

    public int Port { get; } = ChildProcess.FreePort();

    public string Endpoint => $"http://127.0.0.1:{Port}/v1/logs";

    public List<OtlpLogRecord> Received { get; } = [];

    /// <summary>The next <paramref name="count"/> requests are answered 503, as by a collector that is overloaded.</summary>
    public void RefuseNext(int count) => Interlocked.Exchange(ref _refuse, count);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/logs", async (HttpContext context) =>
        {
            if (Interlocked.Decrement(ref _refuse) >= 0)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            Assert.Equal("application/x-protobuf", context.Request.ContentType);
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            foreach (var record in Decode(ByteString.CopyFrom(body.ToArray())))
            {
                await _received.Writer.WriteAsync(record);
            }

            return Results.Ok();
        });
        await _app.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Waits for records until one is the record <paramref name="sequence"/> (anchors are skipped).</summary>
    public async Task WaitForRecordAsync(long sequence, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        while (!Received.Any(r => r.EventName != "audit.checkpoint" && r.Sequence == sequence))
        {
            Received.Add(await _received.Reader.ReadAsync(limit.Token));
        }
    }

    private static IEnumerable<OtlpLogRecord> Decode(ByteString request)
    {
        foreach (var resourceLogs in Fields(request).Where(f => f.Field == 1))
        {
            var parts = Fields(resourceLogs.Bytes).ToList();
            var resource = parts.Single(f => f.Field == 1).Bytes;
            var service = Fields(resource).Where(f => f.Field == 1).Select(f => KeyValue(f.Bytes)).Single(kv => kv.Key == "service.name").Value.String!;
            foreach (var scopeLogs in parts.Where(f => f.Field == 2))
            {
                var scopeParts = Fields(scopeLogs.Bytes).ToList();
                var scope = Fields(scopeParts.Single(f => f.Field == 1).Bytes).Single(f => f.Field == 1).Bytes.ToStringUtf8();
                foreach (var record in scopeParts.Where(f => f.Field == 2))
                {
                    var fields = Fields(record.Bytes).ToList();
                    var attributes = fields.Where(f => f.Field == 6).Select(f => KeyValue(f.Bytes)).ToDictionary(kv => kv.Key, kv => kv.Value);
                    var traceId = fields.SingleOrDefault(f => f.Field == 9).Bytes;
                    yield return new OtlpLogRecord(service, scope, fields.Single(f => f.Field == 1).Number, (long)fields.Single(f => f.Field == 2).Number,
                        AnyValue(fields.Single(f => f.Field == 5).Bytes).String!, fields.Single(f => f.Field == 12).Bytes.ToStringUtf8(),
                        attributes["shield.audit.sequence"].Integer!.Value, traceId is null ? null : Convert.ToHexStringLower(traceId.ToByteArray()));
                }
            }
        }
    }

    private static (string Key, (string? String, long? Integer) Value) KeyValue(ByteString bytes)
    {
        var fields = Fields(bytes).ToList();
        return (fields.Single(f => f.Field == 1).Bytes.ToStringUtf8(), AnyValue(fields.Single(f => f.Field == 2).Bytes));
    }

    private static (string? String, long? Integer) AnyValue(ByteString bytes)
    {
        var field = Fields(bytes).Single();
        return field.Field switch
        {
            1 => (field.Bytes.ToStringUtf8(), null),
            3 => (null, (long)field.Number),
            _ => throw new InvalidDataException($"AnyValue field {field.Field} is not one Shield writes"),
        };
    }

    /// <summary>A message's fields as the wire holds them: numbers (varint, fixed) or bytes (length-delimited).</summary>
    private static List<(int Field, ulong Number, ByteString Bytes)> Fields(ByteString message)
    {
        List<(int, ulong, ByteString)> fields = [];
        var input = new CodedInputStream(message.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = WireFormat.GetTagFieldNumber(tag);
            fields.Add(WireFormat.GetTagWireType(tag) switch
            {
                WireFormat.WireType.Varint => (field, input.ReadUInt64(), ByteString.Empty),
                WireFormat.WireType.Fixed64 => (field, input.ReadFixed64(), ByteString.Empty),
                WireFormat.WireType.Fixed32 => (field, input.ReadFixed32(), ByteString.Empty),
                WireFormat.WireType.LengthDelimited => (field, 0, input.ReadBytes()),
                var other => throw new InvalidDataException($"wire type {other} is not one OTLP uses here"),
            });
        }

        return fields;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
