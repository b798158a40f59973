using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shield.Core.Auditing;

/// <summary>
/// What an <c>audit.pruned</c> record says (in its <c>after</c>): records up to <see cref="Through"/> were removed by
/// retention, the last of them had hash <see cref="Hash"/>, so the trail now verifiably starts at the next one;
/// <see cref="GovernanceThrough"/> is the last governance change chained by then, so none is chained again;
/// <see cref="SealKeyId"/> is the chain key that seals the record after <see cref="Through"/> (null when it is unsealed),
/// since the <c>audit.sealing</c> record that said so may be among those removed. Only a pruning record sealed with a
/// key Shield holds vouches for a trail's start.
/// </summary>
public sealed record AuditPruning(
    [property: JsonPropertyName("through")] long Through,
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("olderThanUtc")] DateTime OlderThanUtc,
    [property: JsonPropertyName("records")] long Records,
    [property: JsonPropertyName("governanceThrough")] long GovernanceThrough = 0,
    [property: JsonPropertyName("sealKeyId")] string? SealKeyId = null)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static AuditPruning? Read(AuditRecord record)
    {
        try
        {
            return record.After is null ? null : JsonSerializer.Deserialize<AuditPruning>(record.After);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
