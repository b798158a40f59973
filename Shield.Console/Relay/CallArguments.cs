using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using Shield.Core.Auditing;
using Shield.Core.Redaction;

namespace Shield.Console.Relay;

/// <summary>
/// A call's arguments, read once from the request as the agent sent them: the one value that is measured, checked
/// against the tool's schema, fingerprinted and redacted for the trail, and forwarded upstream. Over
/// <see cref="RelayOptions.MaxArgumentBytes"/> they are only fingerprinted (every refusal carries the fingerprint) and
/// say why they are refused.
/// </summary>
public sealed class CallArguments
{
    private CallArguments(JsonElement? value, string fingerprint, string? redacted, string? tooBig) =>
        (Value, Fingerprint, Redacted, TooBig) = (value, fingerprint, redacted, tooBig);

    /// <summary>The arguments (an object), or null when the call has none.</summary>
    public JsonElement? Value { get; }

    /// <summary>Their keyed fingerprint (<see cref="ArgumentsFingerprint"/>).</summary>
    public string Fingerprint { get; }

    /// <summary>Their text with secrets and personal data masked, as auditors read it; null when too big.</summary>
    public string? Redacted { get; }

    /// <summary>Why they are refused for their size, written for the agent; null when within the limit.</summary>
    public string? TooBig { get; }

    /// <param name="arguments">The request's <c>arguments</c>, as the transport read them.</param>
    public static CallArguments Read(JsonNode? arguments, int maxBytes, ReadOnlySpan<byte> key, Redactor redactor)
    {
        if (arguments is null)
        {
            return new CallArguments(null, ArgumentsFingerprint.Of(key, null), null, null);
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(arguments, McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonNode)));
        var reader = new Utf8JsonReader(bytes);
        var value = JsonElement.ParseValue(ref reader);
        var fingerprint = ArgumentsFingerprint.Of(key, value);
        return bytes.Length > maxBytes
            ? new CallArguments(null, fingerprint, null,
                $"The arguments are {bytes.Length:N0} bytes; Shield accepts at most {maxBytes:N0} ({RelayOptions.SectionName}:MaxArgumentBytes).")
            : new CallArguments(value, fingerprint, redactor.Redact(value), null);
    }

    /// <summary>The arguments as they go upstream: the same value, written out as it was read.</summary>
    public JsonNode? Onward() => Value is { ValueKind: JsonValueKind.Object } value ? JsonObject.Create(value) : null;
}
