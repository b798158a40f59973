using System.Text.RegularExpressions;
using Shield.Core.Auditing;
using Shield.Core.Registry;

namespace Shield.Console.Auditing;

/// <summary>
/// What an auditor narrows the trail to. Every criterion is optional; text criteria match exactly (actor names are
/// agent names or people's sign-in names). Bound from the query string by the API and the export.
/// </summary>
public sealed partial record AuditFilter
{
    public DateTime? From { get; init; }

    public DateTime? To { get; init; }

    public string? Actor { get; init; }

    public Guid? Session { get; init; }

    public string? Server { get; init; }

    public string? Tool { get; init; }

    public string? EventType { get; init; }

    public string? Outcome { get; init; }

    public string? TraceId { get; init; }

    /// <summary>Every problem with the filter, by parameter name; empty when it can be applied.</summary>
    public Dictionary<string, string[]> Problems()
    {
        Dictionary<string, string[]> problems = [];
        if (From > To)
        {
            problems["from"] = ["\"from\" is after \"to\"."];
        }

        if (EventType is not null && !AuditEventTypes.All.Contains(EventType))
        {
            problems["eventType"] = [$"Unknown event type; use one of: {string.Join(", ", AuditEventTypes.All)}."];
        }

        if (TraceId is not null && !TraceIdPattern().IsMatch(TraceId))
        {
            problems["traceId"] = ["A trace id is 32 lower-case hex digits, as in a W3C traceparent."];
        }

        foreach (var (name, value) in new[] { ("actor", Actor), ("server", Server), ("tool", Tool), ("outcome", Outcome) })
        {
            if (value?.Length > 256)
            {
                problems[name] = ["At most 256 characters."];
            }
        }

        return problems;
    }

    public IQueryable<AuditRecord> Apply(IQueryable<AuditRecord> records)
    {
        if (From is { } from)
        {
            var utc = ToUtc(from);
            records = records.Where(r => r.AtUtc >= utc);
        }

        if (To is { } to)
        {
            var utc = ToUtc(to);
            records = records.Where(r => r.AtUtc <= utc);
        }

        if (Blank(Actor) is { } actor)
        {
            records = records.Where(r => r.ActorName == actor);
        }

        if (Session is { } session)
        {
            records = records.Where(r => r.SessionId == session);
        }

        if (Blank(Server) is { } server)
        {
            records = records.Where(r => r.Server == server);
        }

        if (Blank(Tool) is { } tool)
        {
            records = QualifiedToolName.TryParse(tool, out var toolServer, out var toolName)
                ? records.Where(r => (r.Server == toolServer && r.Tool == toolName) || r.Tool == tool)
                : records.Where(r => r.Tool == tool);
        }

        if (Blank(EventType) is { } eventType)
        {
            records = records.Where(r => r.EventType == eventType);
        }

        if (Blank(Outcome) is { } outcome)
        {
            records = records.Where(r => r.Outcome == outcome);
        }

        if (Blank(TraceId) is { } traceId)
        {
            records = records.Where(r => r.TraceId == traceId);
        }

        return records;
    }

    /// <summary>The filter as query-string parameters, for links to the export and its manifest.</summary>
    public IEnumerable<KeyValuePair<string, string?>> ToQuery()
    {
        if (From is { } from) yield return new("from", AuditChain.Time(ToUtc(from)));
        if (To is { } to) yield return new("to", AuditChain.Time(ToUtc(to)));
        if (Blank(Actor) is { } actor) yield return new("actor", actor);
        if (Session is { } session) yield return new("session", session.ToString("D"));
        if (Blank(Server) is { } server) yield return new("server", server);
        if (Blank(Tool) is { } tool) yield return new("tool", tool);
        if (Blank(EventType) is { } eventType) yield return new("eventType", eventType);
        if (Blank(Outcome) is { } outcome) yield return new("outcome", outcome);
        if (Blank(TraceId) is { } traceId) yield return new("traceId", traceId);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex TraceIdPattern();
}
