using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Shield.Core.Auditing;
using Shield.Core.Governance;
using Shield.Core.Persistence;
using Shield.Core.Persistence.Sqlite;

namespace Shield.Tests.Infrastructure;

/// <summary>
/// A Shield whose folder outlives it, with a chain key file of its own: records calls, stops, and lets a test reach
/// into its SQLite file as someone with write access but no keys would.
/// </summary>
public static class StoppedTrail
{
    /// <summary>Settings for a Shield in <paramref name="folder"/> with a key file there and a checkpoint after every batch.</summary>
    public static Dictionary<string, string?> KeyedSettings(TempFolder folder)
    {
        var key = KeyFile(folder);
        if (!File.Exists(key))
        {
            File.WriteAllText(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return new Dictionary<string, string?> { ["Shield:Audit:KeyFile"] = key, ["Shield:Audit:CheckpointInterval"] = "00:00:00" };
    }

    public static string KeyFile(TempFolder folder) => Path.Combine(folder.Path, "audit.key");

    /// <summary>A context on the stopped Shield's database, without any of Shield's services or keys.</summary>
    public static SqliteShieldDbContext Open(TempFolder folder)
    {
        SqliteConnection.ClearAllPools();
        return new(new DbContextOptionsBuilder<SqliteShieldDbContext>()
            .UseSqlite($"Data Source={Path.Combine(folder.Path, "shield.db")};Pooling=false")
            .UseApplicationServiceProvider(DesignTimeServices.Instance)
            .Options);
    }

    /// <summary>Appends a record with a valid plain hash, as anyone who knows the canonical form can, but no seal.</summary>
    public static async Task AppendForgedAsync(TempFolder folder, CancellationToken cancellationToken)
    {
        await using var db = Open(folder);
        var last = await db.AuditRecords.OrderByDescending(r => r.Sequence).FirstAsync(cancellationToken);
        var forged = Call(78);
        AuditChain.Link(forged, last.Sequence + 1, last.Hash);
        db.AuditRecords.Add(forged);
        await db.SaveChangesAsync(cancellationToken);
    }

    public static AuditRecord Call(int i) => new()
    {
        AtUtc = DateTime.UtcNow,
        EventType = AuditEventTypes.CallAllowed,
        ActorKind = Actor.Agent,
        ActorId = "bot",
        ActorName = "bot",
        SessionId = Guid.NewGuid(),
        Task = $"task {i}",
        Server = "files",
        Tool = $"tool-{i}",
        Decision = "allow",
        Outcome = "ok",
    };
}
