using System.Globalization;
using Shield.Core.Registry;
using Shield.Core.Text;

namespace Shield.Core.Auditing;

/// <summary>How a field of the canonical form is written.</summary>
public enum AuditFieldKind
{
    /// <summary>A JSON string, or null.</summary>
    Text,

    /// <summary>A JSON integer, or null.</summary>
    Integer,

    /// <summary>A UTC time written as <see cref="AuditChain.TimeFormat"/>.</summary>
    Time,

    /// <summary>A GUID written <c>D</c>-style, or null.</summary>
    Id,
}

/// <summary>One field of an <see cref="AuditRecord"/>: its name in the canonical form, its kind and its column limit.</summary>
public sealed class AuditField
{
    private readonly Func<AuditRecord, string?>? _text;
    private readonly Action<AuditRecord, string>? _setText;
    private readonly Func<AuditRecord, long?>? _integer;

    private AuditField(string name, AuditFieldKind kind, int? maxLength, Func<AuditRecord, string?>? text, Action<AuditRecord, string>? setText, Func<AuditRecord, long?>? integer)
    {
        Name = name;
        Property = char.ToUpperInvariant(name[0]) + name[1..];
        Kind = kind;
        MaxLength = maxLength;
        _text = text;
        _setText = setText;
        _integer = integer;
    }

    /// <summary>The name in the canonical form and in exports (camel case).</summary>
    public string Name { get; }

    /// <summary>The property of <see cref="AuditRecord"/> and the column that hold it.</summary>
    public string Property { get; }

    public AuditFieldKind Kind { get; }

    /// <summary>The column's limit in characters; null when unbounded. Text longer than it is clipped before chaining.</summary>
    public int? MaxLength { get; }

    /// <summary>The value as the canonical form writes it, without quotes (null stays null).</summary>
    public string? ValueOf(AuditRecord record) =>
        _integer is not null ? _integer(record)?.ToString(CultureInfo.InvariantCulture) : _text!(record);

    /// <summary>The integer value of an <see cref="AuditFieldKind.Integer"/> field.</summary>
    public long? IntegerOf(AuditRecord record) => _integer!(record);

    /// <summary>Cuts text longer than the column to fit it, marking the cut with an ellipsis.</summary>
    public void Clip(AuditRecord record)
    {
        if (_setText is not null && MaxLength is { } limit && _text!(record) is { } value && value.Length > limit)
        {
            _setText(record, value.Clip(limit));
        }
    }

    internal static AuditField Text(string name, int? maxLength, Func<AuditRecord, string?> get, Action<AuditRecord, string> set) =>
        new(name, AuditFieldKind.Text, maxLength, get, set, null);

    internal static AuditField Integer(string name, Func<AuditRecord, long?> get) => new(name, AuditFieldKind.Integer, null, null, null, get);

    internal static AuditField Time(string name, Func<AuditRecord, DateTime> get) =>
        new(name, AuditFieldKind.Time, null, r => AuditChain.Time(get(r)), null, null);

    internal static AuditField Id(string name, Func<AuditRecord, Guid?> get) =>
        new(name, AuditFieldKind.Id, null, r => AuditChain.Id(get(r)), null, null);
}

/// <summary>
/// The audit record's shape in one place: every field of the canonical form in its order, with its kind and column
/// limit. The EF Core configuration takes the limits from here, the writer clips to them before chaining, and the
/// chain, the exports and the offline checker all follow this order. <c>hash</c> and <c>seal</c> are the chain's
/// own outputs and not part of the canonical form.
/// </summary>
public static class AuditFields
{
    public const int HashLength = 64;

    /// <summary>Every field of the canonical form, in ordinal order of its name.</summary>
    public static readonly IReadOnlyList<AuditField> All =
    [
        AuditField.Text("action", 32, r => r.Action, (r, v) => r.Action = v),
        AuditField.Text("actorId", 256, r => r.ActorId, (r, v) => r.ActorId = v),
        AuditField.Text("actorKind", 16, r => r.ActorKind, (r, v) => r.ActorKind = v),
        AuditField.Text("actorName", 256, r => r.ActorName, (r, v) => r.ActorName = v),
        AuditField.Text("after", null, r => r.After, (r, v) => r.After = v),
        AuditField.Id("approvalId", r => r.ApprovalId),
        AuditField.Text("argumentsFingerprint", 64, r => r.ArgumentsFingerprint, (r, v) => r.ArgumentsFingerprint = v),
        AuditField.Time("atUtc", r => r.AtUtc),
        AuditField.Text("before", null, r => r.Before, (r, v) => r.Before = v),
        AuditField.Text("decidingGrant", 512, r => r.DecidingGrant, (r, v) => r.DecidingGrant = v),
        AuditField.Text("decision", 32, r => r.Decision, (r, v) => r.Decision = v),
        AuditField.Integer("durationMicroseconds", r => r.DurationMicroseconds),
        AuditField.Text("eventType", 40, r => r.EventType, (r, v) => r.EventType = v),
        AuditField.Integer("governanceChangeId", r => r.GovernanceChangeId),
        AuditField.Text("outcome", 32, r => r.Outcome, (r, v) => r.Outcome = v),
        AuditField.Text("prevHash", HashLength, r => r.PrevHash, (r, v) => r.PrevHash = v),
        AuditField.Text("reason", 4000, r => r.Reason, (r, v) => r.Reason = v),
        AuditField.Text("redactedArguments", null, r => r.RedactedArguments, (r, v) => r.RedactedArguments = v),
        AuditField.Text("reviewer", 256, r => r.Reviewer, (r, v) => r.Reviewer = v),
        AuditField.Integer("sequence", r => r.Sequence),
        AuditField.Text("server", ServerName.MaxLength, r => r.Server, (r, v) => r.Server = v),
        AuditField.Id("sessionId", r => r.SessionId),
        AuditField.Text("shadowDecision", 32, r => r.ShadowDecision, (r, v) => r.ShadowDecision = v),
        AuditField.Text("shadowGrant", 512, r => r.ShadowGrant, (r, v) => r.ShadowGrant = v),
        AuditField.Text("shadowReason", 4000, r => r.ShadowReason, (r, v) => r.ShadowReason = v),
        AuditField.Text("spanId", 16, r => r.SpanId, (r, v) => r.SpanId = v),
        AuditField.Text("subject", 32, r => r.Subject, (r, v) => r.Subject = v),
        AuditField.Text("subjectKey", 256, r => r.SubjectKey, (r, v) => r.SubjectKey = v),
        AuditField.Text("task", 500, r => r.Task, (r, v) => r.Task = v),
        AuditField.Text("tool", 256, r => r.Tool, (r, v) => r.Tool = v),
        AuditField.Text("traceId", 32, r => r.TraceId, (r, v) => r.TraceId = v),
    ];

    /// <summary>The names of <see cref="All"/>, in order; exports add <c>hash</c> and <c>seal</c> after them.</summary>
    public static readonly IReadOnlyList<string> Names = [.. All.Select(f => f.Name)];

    /// <summary>The values of <see cref="All"/> as text (null stays null), for tabular exports.</summary>
    public static string?[] Values(AuditRecord record)
    {
        var values = new string?[All.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = All[i].ValueOf(record);
        }

        return values;
    }

    /// <summary>
    /// Clips every text field to its column, and its time to what every database keeps, so a record always fits its row
    /// and hashes as stored.
    /// </summary>
    public static void Clip(AuditRecord record)
    {
        record.AtUtc = AuditChain.Storable(record.AtUtc);
        foreach (var field in All)
        {
            field.Clip(record);
        }
    }
}
