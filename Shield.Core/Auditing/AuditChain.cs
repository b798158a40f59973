using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Shield.Core.Json;

namespace Shield.Core.Auditing;

/// <summary>
/// How records are chained. A record's hash is the SHA-256 (lower-case hex) of its canonical form: a JSON object of
/// every field but <c>hash</c>, camel-cased, keys in ordinal order, nulls kept, no whitespace, strings escaped as in
/// RFC 8785, times as <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>, and integers only. The export writes records with exactly
/// these names and values, so anyone can recompute the chain with a JSON canonicaliser and SHA-256.
/// </summary>
public static class AuditChain
{
    /// <summary>The <c>prevHash</c> of the first record ever written.</summary>
    public static readonly string Genesis = new('0', 64);

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Gives the record its place in the chain and its hash.</summary>
    public static void Link(AuditRecord record, long sequence, string prevHash)
    {
        record.Sequence = sequence;
        record.PrevHash = prevHash;
        record.Hash = ComputeHash(record);
    }

    public static string ComputeHash(AuditRecord record)
    {
        var text = Write(record, Builder());
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            // One encoder across the builder's chunks: a chunk may end inside a surrogate pair.
            var encoder = Utf8.GetEncoder();
            var length = 0;
            foreach (var chunk in text.GetChunks())
            {
                length += encoder.GetBytes(chunk.Span, bytes.AsSpan(length), flush: false);
            }

            length += encoder.GetBytes([], bytes.AsSpan(length), flush: true);

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public static string CanonicalText(AuditRecord record) => Write(record, new StringBuilder(512)).ToString();

    // The writer hashes thousands of records a second on one thread: reuse one builder per thread.
    [ThreadStatic]
    private static StringBuilder? _builder;

    private static StringBuilder Builder() => (_builder ??= new StringBuilder(1024)).Clear();

    private static StringBuilder Write(AuditRecord r, StringBuilder text)
    {
        text.Append('{');
        Field(text, "action", r.Action, first: true);
        Field(text, "actorId", r.ActorId);
        Field(text, "actorKind", r.ActorKind);
        Field(text, "actorName", r.ActorName);
        Field(text, "after", r.After);
        Field(text, "approvalId", Id(r.ApprovalId));
        Field(text, "argumentsFingerprint", r.ArgumentsFingerprint);
        Field(text, "atUtc", Time(r.AtUtc));
        Field(text, "before", r.Before);
        Field(text, "decidingGrant", r.DecidingGrant);
        Field(text, "decision", r.Decision);
        Field(text, "durationMicroseconds", r.DurationMicroseconds);
        Field(text, "eventType", r.EventType);
        Field(text, "governanceChangeId", r.GovernanceChangeId);
        Field(text, "outcome", r.Outcome);
        Field(text, "prevHash", r.PrevHash);
        Field(text, "reason", r.Reason);
        Field(text, "redactedArguments", r.RedactedArguments);
        Field(text, "reviewer", r.Reviewer);
        Field(text, "sequence", r.Sequence);
        Field(text, "server", r.Server);
        Field(text, "sessionId", Id(r.SessionId));
        Field(text, "spanId", r.SpanId);
        Field(text, "subject", r.Subject);
        Field(text, "subjectKey", r.SubjectKey);
        Field(text, "task", r.Task);
        Field(text, "tool", r.Tool);
        Field(text, "traceId", r.TraceId);
        return text.Append('}');
    }

    /// <summary>The fields of the canonical form, in its order; exports add <c>hash</c> at the end.</summary>
    public static readonly IReadOnlyList<string> FieldNames =
    [
        "action", "actorId", "actorKind", "actorName", "after", "approvalId", "argumentsFingerprint", "atUtc", "before",
        "decidingGrant", "decision", "durationMicroseconds", "eventType", "governanceChangeId", "outcome", "prevHash", "reason",
        "redactedArguments", "reviewer", "sequence", "server", "sessionId", "spanId", "subject", "subjectKey", "task", "tool", "traceId",
    ];

    /// <summary>The values of <see cref="FieldNames"/> as text (null stays null), for tabular exports.</summary>
    public static string?[] Values(AuditRecord r) =>
    [
        r.Action, r.ActorId, r.ActorKind, r.ActorName, r.After, Id(r.ApprovalId), r.ArgumentsFingerprint, Time(r.AtUtc), r.Before,
        r.DecidingGrant, r.Decision, Number(r.DurationMicroseconds), r.EventType, Number(r.GovernanceChangeId), r.Outcome, r.PrevHash, r.Reason,
        r.RedactedArguments, r.Reviewer, Number(r.Sequence), r.Server, Id(r.SessionId), r.SpanId, r.Subject, r.SubjectKey, r.Task, r.Tool, r.TraceId,
    ];

    /// <summary>The record as one JSON object: its canonical form with <c>hash</c> added.</summary>
    public static void WriteJson(AuditRecord record, StringBuilder text)
    {
        Write(record, text);
        text.Length--; // the closing brace
        text.Append(",\"hash\":");
        CanonicalJson.WriteString(record.Hash, text);
        text.Append('}');
    }

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTime atUtc) => atUtc.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static string? Id(Guid? id) => id?.ToString("D");

    /// <summary>The text a checkpoint's signature covers.</summary>
    public static string CheckpointText(long sequence, string hash, DateTime atUtc) =>
        string.Create(CultureInfo.InvariantCulture, $"shield-audit-checkpoint:{sequence}:{hash}:{Time(atUtc)}");

    public static string Sign(ReadOnlySpan<byte> key, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));

    public static bool HasValidSignature(ReadOnlySpan<byte> key, AuditCheckpoint checkpoint) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sign(key, CheckpointText(checkpoint.Sequence, checkpoint.Hash, checkpoint.AtUtc))),
            Encoding.ASCII.GetBytes(checkpoint.Signature));

    private static void Field(StringBuilder text, string name, string? value, bool first = false)
    {
        Name(text, name, first);
        if (value is null)
        {
            text.Append("null");
        }
        else
        {
            CanonicalJson.WriteString(value, text);
        }
    }

    private static void Field(StringBuilder text, string name, long? value)
    {
        Name(text, name, first: false);
        text.Append(value is { } number ? number.ToString(CultureInfo.InvariantCulture) : "null");
    }

    private static void Name(StringBuilder text, string name, bool first)
    {
        if (!first)
        {
            text.Append(',');
        }

        text.Append('"').Append(name).Append("\":");
    }
}
