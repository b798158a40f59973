using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Shield.Console.Siem;
using Shield.Core.Persistence;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Siem;

/// <summary>A sink's cursor on each database it runs on: its stamps must read back as written.</summary>
public abstract class SiemSinkCursorSuite : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private ShieldAppFactory _app = null!;

    protected virtual PostgresServer? Postgres => null;

    private ShieldDbContext Db { get; set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _app = new ShieldAppFactory { Postgres = Postgres };
        _ = _app.Services; // started: the database is migrated
        Db = _app.OpenDatabase();
        await Db.SiemCursors.ExecuteDeleteAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }

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
    public async Task ACutAcknowledgedWhileTheStoredPositionLagsWhatWasSent_SendsFromTheStoredPosition_AndIsNotOverwritten()
    {
        var cursor = new SiemSinkCursor("siem", _time);
        await cursor.ReadAsync(Db, head: 1000, Ct);
        cursor.Advance(900, 0);
        await cursor.SaveAsync(Db, now: true, Ct);
        await cursor.ReadAsync(Db, head: 1000, Ct);
        cursor.Advance(1000, 0); // sent, not yet written

        // Records 951 to 1000 are cut, and the cut acknowledged: the stored 900 is not past it, yet the sink must hear of it.
        await SiemSinkCursor.MoveBackAsync(Db, tail: 950, _time.GetUtcNow().UtcDateTime);
        await cursor.SaveAsync(Db, now: true, Ct); // a round that read before the acknowledgement
        Assert.Equal(900, await StoredAsync());

        var read = await cursor.ReadAsync(Db, head: 1005, Ct); // the acknowledgement and new records took 951 on
        Assert.True(read.Moved);
        Assert.Equal(900, cursor.Sequence);

        cursor.Advance(1005, 0);
        await cursor.SaveAsync(Db, now: true, Ct);
        Assert.Equal(1005, await StoredAsync());
    }

    [Fact]
    public async Task ACutAcknowledged_MovesBackOnlyTheCursorsPastIt()
    {
        foreach (var (name, sequence) in new[] { ("behind", 10L), ("past", 60L) })
        {
            var cursor = new SiemSinkCursor(name, _time);
            await cursor.ReadAsync(Db, head: 100, Ct);
            cursor.Advance(sequence, 0);
            await cursor.SaveAsync(Db, now: true, Ct);
        }

        await SiemSinkCursor.MoveBackAsync(Db, tail: 40, _time.GetUtcNow().UtcDateTime);

        Db.ChangeTracker.Clear();
        var cursors = await Db.SiemCursors.OrderBy(c => c.Name).ToListAsync(Ct);
        Assert.Equal([("behind", 10L), ("past", 40L)], cursors.Select(c => (c.Name, c.Sequence)));
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

public sealed class SiemSinkCursorTests : SiemSinkCursorSuite;

[Collection(PostgresCollection.Name)]
public sealed class SiemSinkCursorOnPostgresTests(PostgresServer postgres) : SiemSinkCursorSuite
{
    protected override PostgresServer? Postgres => postgres;
}
