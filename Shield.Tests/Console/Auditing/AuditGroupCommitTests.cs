using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

/// <summary>The writer's side of sharing commits (<see cref="AuditOptions.GroupCommitWindow"/>): nothing waiting is lost.</summary>
public sealed class AuditGroupCommitTests
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
}
