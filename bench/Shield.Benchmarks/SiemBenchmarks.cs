using System.Buffers;
using BenchmarkDotNet.Attributes;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Siem;

namespace Shield.Benchmarks;

/// <summary>
/// The SIEM streamer's own work per record, apart from the database read it shares with every reader: writing a
/// tool-call record (about 1 KB of redacted arguments) as an OCSF event or a CEF line, framed as an RFC 5424 message.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- --filter '*SiemBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class SiemBenchmarks
{
    private readonly AuditRecord _record = Record();
    private readonly OcsfFormat _ocsf = new("1.0.0");
    private readonly CefFormat _cef = new("1.0.0");
    private readonly ArrayBufferWriter<byte> _frames = new(64 * 1024);

    [Benchmark]
    public int OcsfSyslogMessage() => Frame(_ocsf.Record(_record));

    [Benchmark]
    public int CefSyslogMessage() => Frame(_cef.Record(_record));

    private int Frame(byte[] body)
    {
        _frames.ResetWrittenCount();
        SyslogFrame.Write(_frames, 6, _record.AtUtc, "shield-host", _record.EventType, body);
        return _frames.WrittenCount;
    }

    private static AuditRecord Record()
    {
        var record = new AuditRecord
        {
            AtUtc = DateTime.UtcNow, EventType = AuditEventTypes.CallCompleted, ActorKind = Actor.Agent, ActorId = Guid.NewGuid().ToString(),
            ActorName = "invoice-bot", SessionId = Guid.NewGuid(), Task = "Pay the November invoices", Server = "crm", Tool = "lookup",
            ArgumentsFingerprint = new string('f', 64), RedactedArguments = $$"""{"query":"{{new string('x', 1000)}}","to":"[email]"}""",
            Decision = "Allow", DecidingGrant = "agent:invoice-bot → crm__lookup allow", Outcome = "ok", DurationMicroseconds = 1234,
            TraceId = new string('1', 32), SpanId = new string('2', 16),
        };
        AuditChain.Link(record, 1_000_000, AuditChain.Genesis);
        return record;
    }
}
