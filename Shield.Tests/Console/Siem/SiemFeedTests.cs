using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Shield.Console.Siem;
using Shield.Core.Auditing;
using Shield.Core.Siem;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

public sealed class SiemFeedTests : MigratedSqliteTest
{
    [Fact]
    public async Task SinksThatKeepUp_ShareOneReadAndOneBodyPerFormat()
    {
        await AppendAsync(1, 5);
        var feed = Feed();

        var first = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var second = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var cef = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Cef, Ct);

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
        var feed = Feed();
        var early = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        await AppendAsync(4, 6);

        var ahead = await feed.ReadAsync(Db, 3, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var behind = await feed.ReadAsync(Db, 1, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([4L, 5, 6], ahead.Select(r => r.Record.Sequence));
        Assert.Equal([2L, 3, 4, 5, 6], behind.Select(r => r.Record.Sequence));
        Assert.Same(early[1].Record, behind[0].Record);
        Assert.Same(ahead[0].Record, behind[2].Record);
    }

    [Fact]
    public async Task ASinkFarBehind_ReadsAlone_AndLeavesTheWindowToTheSinksThatKeepUp()
    {
        await AppendAsync(1, SiemFeed.Capacity + 10);
        var feed = Feed();
        var latest = await feed.ReadAsync(Db, 10, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        var far = await feed.ReadAsync(Db, 0, 5, SiemFormatKind.Ocsf, Ct);
        var again = await feed.ReadAsync(Db, 10, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([1L, 2, 3, 4, 5], far.Select(r => r.Record.Sequence));
        Assert.Equal(SiemSink.BatchSize, again.Count);
        Assert.Same(latest[^1].Record, again[^1].Record);
    }

    [Fact]
    public async Task AWindowWhoseRecordsTheTrailNoLongerHolds_IsReadAgain_NotSent()
    {
        await AppendAsync(1, 4);
        var feed = Feed();
        await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        // The tail is cut after record 2 (acknowledged tampering) and new records take its numbers.
        await Db.AuditRecords.Where(r => r.Sequence > 2).ExecuteDeleteAsync(Ct);
        await AppendAsync(3, 5, task: "after the cut");

        var behind = await feed.ReadAsync(Db, 1, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var ahead = await feed.ReadAsync(Db, 4, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([2L, 3, 4, 5], behind.Select(r => r.Record.Sequence));
        Assert.All(behind.Skip(1), r => Assert.Equal("after the cut", r.Record.Task));
        Assert.Equal("after the cut", Assert.Single(ahead).Record.Task);
    }

    [Fact]
    public async Task AWindowServedWithoutAReadOfTheDatabase_IsStillCheckedAgainstIt()
    {
        await AppendAsync(1, 4);
        var feed = Feed();
        await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        await Db.AuditRecords.Where(r => r.Sequence > 2).ExecuteDeleteAsync(Ct);
        await AppendAsync(3, 4, task: "after the cut");

        var two = await feed.ReadAsync(Db, 1, 2, SiemFormatKind.Ocsf, Ct);

        Assert.Equal("after the cut", two[1].Record.Task);
    }

    [Fact]
    public async Task WhatTheWriterHandsOver_IsServedWithoutReadingItBack_AsItWasWhenCommitted()
    {
        var records = await AppendAsync(1, 3);
        var feed = Feed();
        records[1].Task = "as committed";
        feed.Committed(records);
        records[1].Task = "changed by its caller afterwards";

        var sent = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([1L, 2, 3], sent.Select(r => r.Record.Sequence));
        Assert.Equal("as committed", sent[1].Record.Task); // the database says "task 2": this came from the writer
    }

    [Fact]
    public async Task AHandOverThatDoesNotFollowTheWindow_StartsItAgain_AndWhatIsMissingIsReadFromTheDatabase()
    {
        var records = await AppendAsync(1, 6);
        var feed = Feed();
        feed.Committed(records[..2]);
        await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        records[4].Task = "handed over";
        feed.Committed(records[4..]); // 3 and 4 never handed over (another writer's, say)

        var sent = await feed.ReadAsync(Db, 2, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([3L, 4, 5, 6], sent.Select(r => r.Record.Sequence));
        Assert.Equal("task 5", sent[2].Record.Task);
    }

    [Fact]
    public async Task ASinkWaitingForRecords_WakesOnceHalfABatchIsHandedOver()
    {
        var records = await AppendAsync(1, SiemSink.BatchSize / 2);
        var feed = Feed();
        var waiting = feed.WaitAsync(TimeSpan.FromHours(1), TimeProvider.System, Ct);

        feed.Committed(records[..^1]);
        Assert.False(waiting.IsCompleted);
        feed.Committed(records[^1..]);

        await waiting.WaitAsync(TimeSpan.FromMinutes(1), Ct);
        await feed.WaitAsync(TimeSpan.FromHours(1), TimeProvider.System, Ct); // and returns at once while they wait
    }

    [Fact]
    public async Task RecordsTooLargeToKeep_AreStillSentWholeAndInOrder()
    {
        await AppendAsync(1, 12, arguments: new string('a', 1024 * 1024));
        var feed = Feed();

        var first = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var second = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), first.Select(r => r.Record.Sequence));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), second.Select(r => r.Record.Sequence));
    }

    [Fact]
    public async Task AHoleInTheTrail_NeitherShiftsNorSkipsWhatAnotherSinkIsSent()
    {
        await AppendAsync(1, 20);
        await Db.AuditRecords.Where(r => r.Sequence == 12).ExecuteDeleteAsync(Ct); // someone with the database deletes one
        var feed = Feed();

        var slow = await feed.ReadAsync(Db, 9, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        var other = await feed.ReadAsync(Db, 14, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);
        await AppendAsync(21, 25);
        var next = await feed.ReadAsync(Db, 20, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal([10L, 11, 13, 14, 15, 16, 17, 18, 19, 20], slow.Select(r => r.Record.Sequence));
        Assert.Equal([15L, 16, 17, 18, 19, 20], other.Select(r => r.Record.Sequence));
        Assert.Equal([21L, 22, 23, 24, 25], next.Select(r => r.Record.Sequence));
    }

    [Fact]
    public async Task HalfACharacter_InAHandedOverRecord_IsWrittenAsTheChainHashesIt_NotAnError()
    {
        var records = await AppendAsync(1, 3, task: new string('t', 10) + "\ud83d…");
        var feed = Feed();
        feed.Committed(records);

        var sent = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal(3, sent.Count);
        Assert.Equal(new string('t', 10) + "\ufffd…", JsonOf(sent[1]).GetProperty("unmapped").GetProperty("shield").GetProperty("task").GetString());
    }

    [Fact]
    public async Task WithNoSinkEnabled_NothingHandedOverIsKept()
    {
        var records = await AppendAsync(1, 2);
        var feed = Feed(enabled: false);
        records[0].Task = "handed over";
        feed.Committed(records);

        var sent = await feed.ReadAsync(Db, 0, SiemSink.BatchSize, SiemFormatKind.Ocsf, Ct);

        Assert.Equal("task 1", sent[0].Record.Task);
    }

    private static SiemFeed Feed(bool enabled = true) =>
        new(Options.Create(new SiemOptions { Sinks = [new SiemSinkOptions { Name = "siem", Host = "127.0.0.1", Port = 6514, Enabled = enabled }] }));

    private static System.Text.Json.JsonElement JsonOf(FedRecord record) => System.Text.Json.JsonDocument.Parse(record.Body).RootElement;

    private async Task<List<AuditRecord>> AppendAsync(int from, int through, string? task = null, string? arguments = null)
    {
        List<AuditRecord> appended = [];
        var previous = from == 1 ? AuditChain.Genesis : await Db.AuditRecords.Where(r => r.Sequence == from - 1).Select(r => r.Hash).SingleAsync(Ct);
        for (var i = from; i <= through; i++)
        {
            var record = StoppedTrail.Call(i);
            record.Task = task ?? record.Task;
            record.RedactedArguments = arguments ?? record.RedactedArguments;
            AuditChain.Link(record, i, previous);
            previous = record.Hash;
            Db.AuditRecords.Add(record);
            appended.Add(record.Copy());
        }

        await Db.SaveChangesAsync(Ct);
        Db.ChangeTracker.Clear();
        return appended;
    }
}
