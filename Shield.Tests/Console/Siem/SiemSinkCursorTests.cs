using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Siem;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

public sealed class SiemSinkCursorTests : MigratedSqliteTest
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task ANewCursorIsWrittenAtOnce_ThenAtMostOncePerInterval_AndAlwaysWhenAskedOnStopping()
    {
        var cursor = new SiemSinkCursor("siem", _time);
        await cursor.ReadAsync(Db, head: 100, Ct);
        cursor.Advance(10, 0);
        await cursor.SaveAsync(Db, now: false, Ct);
        Assert.Equal(10, await StoredAsync());

        cursor.Advance(20, 1);
        await cursor.SaveAsync(Db, now: false, Ct);
        Assert.Equal(10, await StoredAsync()); // within the interval: kept in memory
        Assert.Equal((20L, 1L), (cursor.Sequence, cursor.CheckpointId));

        await cursor.ReadAsync(Db, head: 100, Ct); // the next round reads the older stored position, and keeps its own
        Assert.Equal((20L, 1L), (cursor.Sequence, cursor.CheckpointId));

        _time.Advance(SiemSinkCursor.SaveInterval);
        await cursor.SaveAsync(Db, now: false, Ct);
        Assert.Equal(20, await StoredAsync());

        cursor.Advance(30, 1);
        await cursor.SaveAsync(Db, now: true, Ct);
        Assert.Equal(30, await StoredAsync());
    }

    [Fact]
    public async Task ACursorMovedBackAfterItWasRead_IsNotOverwritten_AndTheNextReadGoesOnFromIt()
    {
        var cursor = new SiemSinkCursor("siem", _time);
        await cursor.ReadAsync(Db, head: 100, Ct);
        cursor.Advance(50, 0);
        await cursor.SaveAsync(Db, now: true, Ct);

        await cursor.ReadAsync(Db, head: 100, Ct);
        cursor.Advance(60, 0);
        await Db.SiemCursors.ExecuteUpdateAsync(set => set.SetProperty(c => c.Sequence, 40), Ct); // a cut tail acknowledged
        await cursor.SaveAsync(Db, now: true, Ct);
        Assert.Equal(40, await StoredAsync());

        var read = await cursor.ReadAsync(Db, head: 100, Ct);
        Assert.True(read.MovedBack);
        Assert.Equal(40, cursor.Sequence);
    }

    [Fact]
    public async Task APositionPastTheEndOfTheTrail_GoesBackToItsEnd_AndIsWrittenAtOnce()
    {
        var cursor = new SiemSinkCursor("siem", _time);
        await cursor.ReadAsync(Db, head: 100, Ct);
        cursor.Advance(90, 0);
        await cursor.SaveAsync(Db, now: true, Ct);
        cursor.Advance(95, 0); // sent, not yet written

        var read = await cursor.ReadAsync(Db, head: 80, Ct);
        await cursor.SaveAsync(Db, now: false, Ct);

        Assert.Equal(new SiemCursorRead(true, 95), read);
        Assert.Equal(80, await StoredAsync());
    }

    private async Task<long> StoredAsync()
    {
        Db.ChangeTracker.Clear();
        return await Db.SiemCursors.Where(c => c.Name == "siem").Select(c => c.Sequence).SingleAsync(Ct);
    }
}
