using System.Text.Json;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Siem;

namespace Shield.Tests.Core.Siem;

/// <summary>
/// Records as OCSF 1.8.0 API Activity (class 6003). The fields below are written down from the schema's source at
/// v1.8.0 (github.com/ocsf/ocsf-schema: events/base_event.json, events/application/api_activity.json,
/// objects/metadata.json, objects/product.json, objects/api.json, objects/actor.json, objects/user.json): every
/// attribute those files mark "required" or "recommended".
/// </summary>
public sealed class OcsfFormatTests
{
    /// <summary>Required by the base event or by API Activity.</summary>
    private static readonly string[] Required =
    [
        "activity_id", "category_uid", "class_uid", "metadata", "severity_id", "time", "type_uid", // base_event
        "actor", "api", "src_endpoint", // api_activity
        "metadata.version", "metadata.product", // metadata
        "api.operation", // api
    ];

    /// <summary>Recommended, and written by Shield.</summary>
    private static readonly string[] Recommended =
    [
        "message", "status", "status_code", "status_detail", "status_id", "timezone_offset", // base_event
        "dst_endpoint", "resources", // api_activity
        "metadata.log_name", "metadata.original_time", // metadata
        "metadata.product.vendor_name", "metadata.product.version", // product
        "api.request", // api
        "actor.user", "actor.user.name", "actor.user.uid", "actor.user.type_id", // actor, user
    ];

    /// <summary>Recommended, and left out, with why (docs/audit.md says the same).</summary>
    private static readonly Dictionary<string, string> LeftOut = new()
    {
        ["observables"] = "the fields they would point at are in the event already; SIEMs build their own",
        ["http_request"] = "an MCP call may reach its server over stdio; the record holds no HTTP exchange",
        ["http_response"] = "as http_request",
        ["metadata.tenant_uid"] = "one Shield serves one organisation",
        ["metadata.reporter"] = "the product names the reporter",
        ["api.response"] = "status_code and status_detail carry the outcome and the reason",
        ["actor.process"] = "an agent is known by its identity, not by a process on Shield's host",
        ["actor.user.has_mfa"] = "not known for agents; people sign in to the console, not to the relay",
    };

    [Fact]
    public void AToolCall_HasEveryRequiredAndRecommendedField_OfApiActivity()
    {
        var json = JsonDocument.Parse(new OcsfFormat("1.2.3").Record(Call())).RootElement;

        Assert.All(Required, path => Assert.True(Has(json, path), $"required {path} is missing"));
        Assert.All(Recommended, path => Assert.True(Has(json, path), $"recommended {path} is missing"));
        Assert.All(LeftOut.Keys, path => Assert.False(Has(json, path), $"{path} is written: take it off the left-out list"));
        Assert.Equal(6003, json.GetProperty("class_uid").GetInt32());
        Assert.Equal(6, json.GetProperty("category_uid").GetInt32());
        Assert.Equal(600399, json.GetProperty("type_uid").GetInt64()); // class_uid * 100 + activity_id (99, Other)
        Assert.Equal("1.8.0", json.GetProperty("metadata").GetProperty("version").GetString());
        Assert.Equal(2, json.GetProperty("status_id").GetInt32()); // denied: Failure
        Assert.Equal(2, json.GetProperty("action_id").GetInt32()); // Denied
        Assert.Equal("tools/call", json.GetProperty("api").GetProperty("operation").GetString());
        Assert.Equal("files__delete", json.GetProperty("resources")[0].GetProperty("name").GetString());
        Assert.Equal(42, json.GetProperty("metadata").GetProperty("sequence").GetInt64());
        Assert.Equal(1_795_593_600_123, json.GetProperty("time").GetInt64());
    }

    [Fact]
    public void TheWholeRecord_RidesInUnmapped_SoItsHashCanBeCheckedFromTheSiem()
    {
        var record = Call();

        var shield = JsonDocument.Parse(new OcsfFormat("1.2.3").Record(record)).RootElement.GetProperty("unmapped").GetProperty("shield");

        var text = new System.Text.StringBuilder();
        AuditChain.WriteJson(record, text);
        Assert.Equal(text.ToString(), shield.GetRawText());
        Assert.Equal(record.Hash, shield.GetProperty("hash").GetString());
    }

    [Fact]
    public void AGovernanceChange_IsACreateReadUpdateOrDeleteOfItsSubject()
    {
        var record = new AuditRecord
        {
            Sequence = 7, AtUtc = DateTime.UtcNow, EventType = AuditEventTypes.Governance, ActorKind = Actor.Person, ActorId = "u1",
            ActorName = "admin@shield.test", Subject = "grant", SubjectKey = "g-1", Action = "created", Hash = new string('a', 64),
        };

        var json = JsonDocument.Parse(new OcsfFormat("1").Record(record)).RootElement;

        Assert.Equal(1, json.GetProperty("activity_id").GetInt32());
        Assert.Equal("grant.created", json.GetProperty("api").GetProperty("operation").GetString());
        Assert.Equal(1, json.GetProperty("actor").GetProperty("user").GetProperty("type_id").GetInt32());
        Assert.All(Required, path => Assert.True(Has(json, path), $"required {path} is missing"));
    }

    [Fact]
    public void AnAnchor_IsABaseEvent_CarryingTheAnchorLineAsTheAnchorFileWritesIt()
    {
        var key = AuditChainKey.Of(new byte[32], AuditKeySource.File);
        var anchor = AuditAnchor.Signed(AuditAnchorKind.Checkpoint, 42, new string('b', 64), DateTime.UtcNow, key);

        var json = JsonDocument.Parse(new OcsfFormat("1").Anchor(anchor)).RootElement;

        Assert.Equal(0, json.GetProperty("class_uid").GetInt32());
        var line = AuditAnchor.Parse(json.GetProperty("unmapped").GetProperty("shield_anchor").GetRawText(), 1);
        Assert.True(line.IsSignedBy(key));
        Assert.Equal((42L, anchor.Hash), (line.Sequence, line.Hash));
        Assert.All(Required.Where(p => !p.StartsWith("api", StringComparison.Ordinal) && p is not "actor" and not "src_endpoint"),
            path => Assert.True(Has(json, path), $"required {path} is missing"));
    }

    internal static AuditRecord Call()
    {
        var record = new AuditRecord
        {
            AtUtc = new DateTime(2026, 11, 25, 8, 0, 0, 123, DateTimeKind.Utc), EventType = AuditEventTypes.CallDenied, ActorKind = Actor.Agent,
            ActorId = "agent-1", ActorName = "billing-bot", SessionId = Guid.NewGuid(), Server = "files", Tool = "delete", Decision = "Deny",
            Outcome = "refused", Reason = "No grant allows files__delete | \"quoted\" = x\nnext line", TraceId = new string('1', 32), SpanId = new string('2', 16),
        };
        AuditChain.Link(record, 42, AuditChain.Genesis);
        return record;
    }

    private static bool Has(JsonElement json, string path) =>
        path.Split('.').Aggregate((JsonElement?)json, (node, name) => node is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var child) ? child : null)
            is { ValueKind: not JsonValueKind.Null };
}
