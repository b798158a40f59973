using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

public abstract class AuditSearchSuite(ShieldAppFactory app)
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;

    private AuditSearch Search => app.Services.GetRequiredService<AuditSearch>();

    [Fact]
    public async Task Pages_GoNewestFirst_WithoutGapsOrRepeats()
    {
        var actor = $"pager-{Guid.NewGuid():N}";
        var written = await RecordAsync(7, actor: actor);
        var filter = new AuditFilter { Actor = actor };

        List<long> seen = [];
        long? before = null;
        var pages = 0;
        do
        {
            var page = await Search.PageAsync(filter, before, 3, _cancel);
            seen.AddRange(page.Records.Select(r => r.Sequence));
            before = page.NextBefore;
            pages++;
        }
        while (before is not null);

        Assert.Equal(3, pages);
        Assert.Equal(written.OrderByDescending(s => s), seen);
    }

    [Fact]
    public async Task Filters_Combine()
    {
        var session = Guid.NewGuid();
        await RecordAsync(2, session: session, tool: "read");
        var denied = await RecordAsync(1, session: session, tool: "delete", eventType: AuditEventTypes.CallDenied);

        var page = await Search.PageAsync(new AuditFilter { Session = session, EventType = AuditEventTypes.CallDenied, Tool = "delete" }, null, 50, _cancel);

        Assert.Equal(denied, page.Records.Select(r => r.Sequence));
        Assert.Empty((await Search.PageAsync(new AuditFilter { Session = session, To = DateTime.UtcNow.AddDays(-1) }, null, 50, _cancel)).Records);
    }

    [Theory]
    [InlineData("files__delete")]
    [InlineData("files/delete")]
    [InlineData("delete")]
    public async Task TheToolFilter_TakesAToolByItsNameOrEitherQualifiedSpelling(string written)
    {
        var session = Guid.NewGuid();
        await RecordAsync(1, session: session, tool: "read");
        var deleted = await RecordAsync(1, session: session, tool: "delete");

        var page = await Search.PageAsync(new AuditFilter { Session = session, Tool = written }, null, 50, _cancel);

        Assert.Equal(deleted, page.Records.Select(r => r.Sequence));
        Assert.Empty((await Search.PageAsync(new AuditFilter { Session = session, Tool = "mail__delete" }, null, 50, _cancel)).Records);
    }

    [Fact]
    public async Task TimeFilters_KeepTheRecordsInTheirWindow_HoweverTheBoundsAreWritten()
    {
        var actor = $"clock-{Guid.NewGuid():N}";
        var now = DateTime.UtcNow;
        var written = await RecordAsync(3, actor: actor, at: i => now.AddHours(i - 3));

        var utc = await Search.PageAsync(new AuditFilter { Actor = actor, From = now.AddHours(-2.5), To = now.AddHours(-0.5) }, null, 50, _cancel);
        // Without a kind, as a time written without an offset arrives: taken as UTC.
        var unspecified = await Search.PageAsync(new AuditFilter
        {
            Actor = actor, From = DateTime.SpecifyKind(now.AddHours(-2.5), DateTimeKind.Unspecified), To = DateTime.SpecifyKind(now.AddHours(-1.5), DateTimeKind.Unspecified),
        }, null, 50, _cancel);

        Assert.Equal(written[1..].OrderDescending(), utc.Records.Select(r => r.Sequence));
        Assert.Equal([written[1]], unspecified.Records.Select(r => r.Sequence));
        Assert.All(utc.Records, r => Assert.Equal(DateTimeKind.Utc, r.AtUtc.Kind));
    }

    [Fact]
    public async Task ASessionTimeline_IsInOrder_AndADetailShowsItsChainLink()
    {
        var session = Guid.NewGuid();
        var written = await RecordAsync(3, session: session);

        var timeline = await Search.TimelineAsync(session, _cancel);
        var detail = await Search.DetailAsync(written[1], _cancel);

        Assert.Equal(written, timeline.Select(r => r.Sequence));
        Assert.True(detail!.HashMatches);
        Assert.True(detail.LinksToPrevious);
        Assert.Null(await Search.DetailAsync(long.MaxValue, _cancel));
    }

    private async Task<List<long>> RecordAsync(
        int count, Guid? session = null, string tool = "read", string eventType = AuditEventTypes.CallAllowed, string actor = "search-bot", Func<int, DateTime>? at = null)
    {
        var writer = app.Services.GetRequiredService<AuditWriter>();
        List<long> sequences = [];
        for (var i = 0; i < count; i++)
        {
            var receipt = await writer.AppendAsync(new AuditRecord
            {
                AtUtc = at?.Invoke(i) ?? DateTime.UtcNow,
                EventType = eventType,
                ActorKind = Actor.Agent,
                ActorId = "id",
                ActorName = actor,
                SessionId = session,
                Server = "files",
                Tool = tool,
            }, _cancel);
            sequences.Add(receipt.Sequence);
        }

        return sequences;
    }
}

public sealed class AuditSearchTests(ShieldAppFactory app) : AuditSearchSuite(app), IClassFixture<ShieldAppFactory>;

[Collection(PostgresCollection.Name)]
public sealed class AuditSearchOnPostgresTests(ShieldAppOnPostgres postgres) : AuditSearchSuite(postgres.App), IClassFixture<ShieldAppOnPostgres>;
