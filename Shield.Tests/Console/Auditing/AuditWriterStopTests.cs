using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

/// <summary>What the writer does with what waits for it when Shield stops: nothing is lost, nothing is chained unchecked.</summary>
public sealed class AuditWriterStopTests
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnOutcomeWaitingToShareACommit_WhenShieldStops_IsStillCommitted()
    {
        using var folder = new TempFolder();
        var app = new ShieldAppFactory
        {
            DataDirectory = folder.Path,
            Settings = new Dictionary<string, string?> { ["Shield:Audit:GroupCommitWindow"] = "00:00:00.1" },
        };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await writer.AppendAsync(new AuditRecord { EventType = AuditEventTypes.CallAllowed, Tool = "decision" }, _cancel);

        await writer.EnqueueAsync(new AuditRecord { EventType = AuditEventTypes.CallCompleted, Tool = "outcome" }, _cancel);
        await app.DisposeAsync();

        await using var db = app.OpenDatabase();
        Assert.True(await db.AuditRecords.AnyAsync(r => r.EventType == AuditEventTypes.CallCompleted && r.Tool == "outcome", _cancel));
    }

    [Fact]
    public async Task AStopBeforeTheTrailWasChecked_RefusesWhatWaits_ChainsNothing_AndRaisesNoAlarm()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "shield.db");
        await using (var first = new ShieldAppFactory { DataDirectory = folder.Path })
        {
            await first.Services.GetRequiredService<AuditWriter>().AppendAsync(new AuditRecord { EventType = AuditEventTypes.CallAllowed, Tool = "before" }, _cancel);
        }

        Sql(path, "ALTER TABLE AuditRecords RENAME TO AuditRecordsAside"); // the trail cannot be read at start
        var app = new ShieldAppFactory
        {
            DataDirectory = folder.Path,
            TestServices = services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow))),
        };
        var writer = app.Services.GetRequiredService<AuditWriter>();
        await app.Logs.WaitForAsync("AuditWriter", "cannot be read to check its tail"); // and, on a clock that stands still, waits to try again
        Sql(path, "ALTER TABLE AuditRecordsAside RENAME TO AuditRecords");

        await writer.EnqueueAsync(new AuditRecord { EventType = AuditEventTypes.CallCompleted, Tool = "waiting" }, _cancel);
        await app.DisposeAsync();

        Assert.DoesNotContain(app.Logs.Entries, e => e.Level == LogLevel.Critical);
        await using var db = app.OpenDatabase();
        Assert.Equal(["before"], await db.AuditRecords.Where(r => r.Tool != null).Select(r => r.Tool).ToListAsync(_cancel));
    }

    private static void Sql(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
