using System.Text;
using Microsoft.EntityFrameworkCore;
using Shield.Console.Siem;
using Shield.Core.Auditing;
using Shield.Core.Persistence.Sqlite;
using Shield.Core.Siem;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

public sealed class SiemFeedTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private SqliteShieldDbContext _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = StoppedTrail.Open(_folder);
        await _db.Database.MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _db.DisposeAsync();
        _folder.Dispose();
    }

    [Fact]
    public async Task SinksThatKeepUp_ShareOneReadAndOneBodyPerFormat()
    {
        await AppendAsync(1, 5);
        var feed = new SiemFeed("1.0.0");

        var first = await feed.ReadAsync(_db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var second = await feed.ReadAsync(_db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var cef = await feed.ReadAsync(_db, 0, SiemSink.BatchSize, SiemFormatKind.Cef, Ct);

        Assert.Equal([1L, 2, 3, 4, 5], first.Select(r => r.Record.Sequence));
        Assert.All(first.Zip(second), pair =>
        {
            Assert.Same(pair.First.Record, pair.Second.Record);
            Assert.Same(pair.First.Body, pair.Second.Body);
        });
        Assert.Same(first[0].Record, cef[0].Record);
        Assert.StartsWith("CEF:0|", Encoding.UTF8.GetString(cef[0].Body), StringComparison.Ordinal);
        Assert.Equal(first[0].Record.Hash, JsonOf(first[0]).GetProperty("unmapped").GetProperty("shield").GetProperty("hash").GetString());
    }

    [Fact]
    public async Task ASinkAhead_ReadsOnlyWhatTheWindowLacks_AndASinkBehindGetsTheRest()
    {
        await AppendAsync(1, 3);
        var feed = new SiemFeed("1.0.0");
        var early = await feed.ReadAsync(_db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        await AppendAsync(4, 6);

        var ahead = await feed.ReadAsync(_db, 3, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var behind = await feed.ReadAsync(_db, 1, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([4L, 5, 6], ahead.Select(r => r.Record.Sequence));
        Assert.Equal([2L, 3, 4, 5, 6], behind.Select(r => r.Record.Sequence));
        Assert.Same(early[1].Record, behind[0].Record);
        Assert.Same(ahead[0].Record, behind[2].Record);
    }

    [Fact]
    public async Task ASinkFarBehind_ReadsAlone_AndLeavesTheWindowToTheSinksThatKeepUp()
    {
        await AppendAsync(1, SiemFeed.Capacity + 10);
        var feed = new SiemFeed("1.0.0");
        var latest = await feed.ReadAsync(_db, 10, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        var far = await feed.ReadAsync(_db, 0, 5, SiemFormatKind.Ocsf, Ct);
        var again = await feed.ReadAsync(_db, 10, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([1L, 2, 3, 4, 5], far.Select(r => r.Record.Sequence));
        Assert.Equal(SiemFeed.Capacity, again.Count);
        Assert.Same(latest[^1].Record, again[^1].Record);
    }

    [Fact]
    public async Task AWindowWhoseRecordsTheTrailNoLongerHolds_IsReadAgain_NotSent()
    {
        await AppendAsync(1, 4);
        var feed = new SiemFeed("1.0.0");
        await feed.ReadAsync(_db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        // The tail is cut after record 2 (acknowledged tampering) and new records take its numbers.
        await _db.AuditRecords.Where(r => r.Sequence > 2).ExecuteDeleteAsync(Ct);
        await AppendAsync(3, 5, task: "after the cut");

        var behind = await feed.ReadAsync(_db, 1, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var ahead = await feed.ReadAsync(_db, 4, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([2L, 3, 4, 5], behind.Select(r => r.Record.Sequence));
        Assert.All(behind.Skip(1), r => Assert.Equal("after the cut", r.Record.Task));
        Assert.Equal("after the cut", Assert.Single(ahead).Record.Task);
    }

    [Fact]
    public async Task AWindowServedWithoutAReadOfTheDatabase_IsStillCheckedAgainstIt()
    {
        await AppendAsync(1, 4);
        var feed = new SiemFeed("1.0.0");
        await feed.ReadAsync(_db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        await _db.AuditRecords.Where(r => r.Sequence > 2).ExecuteDeleteAsync(Ct);
        await AppendAsync(3, 4, task: "after the cut");

        var two = await feed.ReadAsync(_db, 1, 2, SiemFormatKind.Ocsf, Ct);

        Assert.Equal("after the cut", two[1].Record.Task);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static System.Text.Json.JsonElement JsonOf(FedRecord record) => System.Text.Json.JsonDocument.Parse(record.Body).RootElement;

    private async Task AppendAsync(int from, int through, string? task = null)
    {
        var previous = from == 1 ? AuditChain.Genesis : await _db.AuditRecords.Where(r => r.Sequence == from - 1).Select(r => r.Hash).SingleAsync(Ct);
        for (var i = from; i <= through; i++)
        {
            var record = StoppedTrail.Call(i);
            record.Task = task ?? record.Task;
            AuditChain.Link(record, i, previous);
            previous = record.Hash;
            _db.AuditRecords.Add(record);
        }

        await _db.SaveChangesAsync(Ct);
        _db.ChangeTracker.Clear();
    }
}
