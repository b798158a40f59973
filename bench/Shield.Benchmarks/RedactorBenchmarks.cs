using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Shield.Core.Redaction;

namespace Shield.Benchmarks;

/// <summary>
/// Redacting one call's arguments for the audit trail: about 1 KB of JSON with nested objects, an email address, a
/// secret key, a card number and plain text; the 1 KB of plain text the relay benchmark sends; and 1 KB where secrets
/// hide in JSON inside a string, key-values in text and a URL.
/// Run: dotnet run -c Release --project bench/Shield.Benchmarks -- --filter '*RedactorBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class RedactorBenchmarks
{
    private static readonly JsonElement Mixed = JsonDocument.Parse($$"""
        {"to":"ada.lovelace@example.com","subject":"Invoice 2026-11","body":"{{new string('x', 600)}} call +44 20 7946 0958",
         "payment":{"card":"4111 1111 1111 1111","apiKey":"sk-proj-abcdefghijklmnop1234","amount":1250.5},
         "lines":[{"sku":"A-1","qty":2},{"sku":"B-7","qty":1}],"notes":"Pay the November invoices before the 30th"}
        """).RootElement.Clone();

    private static readonly JsonElement Plain = JsonDocument.Parse($$"""{"text":"{{new string('x', 1024)}}"}""").RootElement.Clone();

    // Secrets where the detectors must look hard: JSON inside a string, key-values in text, a URL with credentials.
    private static readonly JsonElement Hidden = JsonDocument.Parse($$"""
        {"payload":"{\"user\":\"ada\",\"password\":\"hunter2\",\"note\":\"{{new string('y', 300)}}\"}",
         "log":"connect postgres://app:s3cret@db.internal:5432/shop then api_key: 'abc123' and token=YWJj; {{new string('z', 300)}}",
         "bank":"iban gb82 west 1234 5698 7654 32, ssn 123-45-6789","pin":1234,"max_tokens":512}
        """).RootElement.Clone();

    [Benchmark]
    public string? MixedArguments() => Redactor.Default.Redact(Mixed);

    [Benchmark]
    public string? PlainText1KB() => Redactor.Default.Redact(Plain);

    [Benchmark]
    public string? HiddenSecrets() => Redactor.Default.Redact(Hidden);
}
