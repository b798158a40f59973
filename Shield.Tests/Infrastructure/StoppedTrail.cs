using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
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

    /// <summary>
    /// A complete export through the API, its manifest, the anchor file and (when given) the key file, handed to the
    /// offline checker as a third party would run it; its exit code and what it printed.
    /// </summary>
    public static async Task<(int Exit, string Output)> CheckOfflineAsync(ShieldAppFactory app, string workFolder, string? keyFile, CancellationToken cancellationToken)
    {
        var admin = await ConsoleSignIn.ApiClientAsync(app, ShieldAppFactory.AdminEmail, ShieldAppFactory.AdminPassword);
        var response = await admin.GetAsync("/api/audit/export?format=jsonl", cancellationToken);
        var manifestUrl = response.Headers.GetValues("Link").Single().Split(';')[0].Trim('<', '>');
        var export = Path.Combine(workFolder, "export.jsonl");
        var manifest = Path.Combine(workFolder, "manifest.json");
        await File.WriteAllBytesAsync(export, await response.Content.ReadAsByteArrayAsync(cancellationToken), cancellationToken);
        await File.WriteAllTextAsync(manifest, await admin.GetStringAsync(manifestUrl, cancellationToken), cancellationToken);
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        List<string> arguments = [Repository.PathOf("tools", "verify-audit-export.py"), export, manifest, "--anchors", app.Services.GetRequiredService<AuditWriter>().Anchors.Path];
        if (keyFile is not null)
        {
            arguments.AddRange(["--key-file", keyFile]);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, output);
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
