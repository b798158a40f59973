using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Core.Auditing;

/// <summary>
/// The trail's queries that must reach a partial index do, on SQLite, which uses one only when the query states the
/// index's own condition: asked plainly, each of them read every record.
/// </summary>
public sealed class AuditQueriesTests : MigratedSqliteTest
{
    [Fact]
    public async Task TheNewestChainedGovernanceChange_IsReadFromItsIndex_NotFromEveryRecord()
    {
        var plain = await PlanAsync(Db.AuditRecords.Select(r => r.GovernanceChangeId).Where(_ => true), "MAX");
        var stated = await PlanAsync(Db.AuditRecords.Where(r => r.GovernanceChangeId != null).Select(r => r.GovernanceChangeId), "MAX");

        Assert.DoesNotContain("IX_AuditRecords_GovernanceChangeId", plain, StringComparison.Ordinal); // what the query was
        Assert.Contains("USING COVERING INDEX IX_AuditRecords_GovernanceChangeId", stated, StringComparison.Ordinal);
        Assert.Null(await Db.AuditRecords.LastGovernanceChangeAsync(Ct));
    }

    [Theory]
    [InlineData("audit.pruned")]
    [InlineData("audit.tamper-detected", "audit.pruned")]
    public async Task TheTrailsOwnEvents_AreFoundThroughTheIndexThatHoldsOnlyThem(params string[] types)
    {
        var plain = await PlanAsync(Db.AuditRecords.Where(r => r.EventType == types[0]).OrderByDescending(r => r.Sequence).Select(r => r.Sequence));
        var stated = await PlanAsync(Db.AuditRecords.TrailEvents(types).OrderByDescending(r => r.Sequence).Select(r => r.Sequence));

        Assert.DoesNotContain("IX_AuditRecords_EventType_Sequence", plain, StringComparison.Ordinal);
        Assert.Contains("INDEX IX_AuditRecords_EventType_Sequence", stated, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEventTypeTheIndexDoesNotHold_IsRefused_RatherThanSilentlyMatchingNothing() =>
        Assert.Throws<ArgumentException>(() => Db.AuditRecords.TrailEvents(AuditEventTypes.CallAllowed));

    /// <summary>SQLite's plan for the query (wrapped in <paramref name="aggregate"/> when given), with its parameters bound.</summary>
    private async Task<string> PlanAsync<T>(IQueryable<T> query, string? aggregate = null)
    {
        var lines = query.ToQueryString().Split('\n');
        var sql = string.Join('\n', lines.Where(l => !l.StartsWith(".param set ", StringComparison.Ordinal)));
        if (aggregate is not null)
        {
            sql = $"SELECT {aggregate}(q.\"GovernanceChangeId\") FROM ({sql}) AS q";
        }

        await using var connection = new SqliteConnection(Db.Database.GetConnectionString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var line in lines.Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)))
        {
            var parts = line[".param set ".Length..].Split(' ', 2);
            command.Parameters.AddWithValue(parts[0], parts[1].Trim().Trim('\''));
        }

        List<string> plan = [];
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            plan.Add(reader.GetString(3));
        }

        return string.Join(" | ", plan);
    }
}
