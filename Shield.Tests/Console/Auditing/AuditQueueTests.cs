using Microsoft.Extensions.Time.Testing;
using Shield.Console.Auditing;
using Shield.Core.Auditing;

namespace Shield.Tests.Console.Auditing;

/// <summary>The writer's queue: when a batch of records nobody waits for waits to share its commit, and what ends the wait.</summary>
public sealed class AuditQueueTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(5);
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new();

    private AuditQueue Queue(TimeSpan? window = null, int batchSize = 1_000) =>
        new(new AuditOptions { GroupCommitWindow = window ?? Window, BatchSize = batchSize }, _time);

    [Fact]
    public async Task AnOutcome_WaitsForTheNextAwaitedRecord_AndBothAreCommittedTogether()
    {
        var queue = Queue();
        await queue.EnqueueAsync(Record("outcome"), _cancel);
        List<AuditPending> batch = [];
        queue.Drain(batch);
        Assert.True(queue.MayWaitForMore(batch));

        var more = queue.WaitForWorkAsync(Window, _cancel);
        Assert.False(more.IsCompleted);
        Assert.Null(await queue.HandOverAsync(new AuditPending(Record("decision")), _cancel));

        Assert.True(await more);
        queue.Drain(batch);
        Assert.Equal(["outcome", "decision"], batch.Select(p => p.Record!.Tool));
        Assert.False(queue.MayWaitForMore(batch));
    }

    [Fact]
    public async Task AnOutcome_NothingFollows_IsCommittedAloneOnceTheWindowPasses()
    {
        var queue = Queue();
        await queue.EnqueueAsync(Record("outcome"), _cancel);
        List<AuditPending> batch = [];
        queue.Drain(batch);

        var more = queue.WaitForWorkAsync(Window, _cancel);
        _time.Advance(Window);

        Assert.False(await more);
        Assert.Single(batch);
    }

    [Fact]
    public async Task AFlush_EndsTheWait_AndNothingWaitsWhileOneIsPending()
    {
        var queue = Queue();
        await queue.EnqueueAsync(Record("outcome"), _cancel);
        List<AuditPending> batch = [];
        queue.Drain(batch);
        var more = queue.WaitForWorkAsync(Window, _cancel);

        var flushed = queue.FlushAsync(_cancel);

        Assert.True(await more);
        queue.Drain(batch);
        Assert.False(queue.MayWaitForMore(batch));
        queue.Flushed(batch);
        await flushed;
    }

    [Fact]
    public async Task NothingWaits_ForAnAwaitedRecord_AFullBatch_OrAWindowOfZero()
    {
        List<AuditPending> awaited = [new(Record("decision"))];
        Assert.False(Queue().MayWaitForMore(awaited));

        var full = Queue(batchSize: 1);
        await full.EnqueueAsync(Record("outcome"), _cancel);
        List<AuditPending> batch = [];
        full.Drain(batch);
        Assert.False(full.MayWaitForMore(batch));

        var off = Queue(window: TimeSpan.Zero);
        await off.EnqueueAsync(Record("outcome"), _cancel);
        batch.Clear();
        off.Drain(batch);
        Assert.False(off.MayWaitForMore(batch));
    }

    private static AuditRecord Record(string tool) => new() { EventType = AuditEventTypes.CallCompleted, Tool = tool };
}
