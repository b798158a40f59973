using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shield.Console.Auditing;
using Shield.Core.Auditing;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Auditing;

/// <summary>
/// Each instance of a cluster anchors the one trail in a file of its own. An instance that starts after the trail has
/// records joins it with an anchor file an administrator created empty: it checks what it can (the records after the
/// newest signed checkpoint) and anchors from then on. A file that is missing is still a finding, as on one node.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class AuditJoinTests(PostgresServer postgres) : IDisposable
{
    private readonly CancellationToken _cancel = TestContext.Current.CancellationToken;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AnInstanceWithAnEmptyAnchorFileOfItsOwn_JoinsTheTrail_AndAnchorsItFromThenOn()
    {
        await using var a = Instance("shield-a");
        await Writer(a).AppendAsync(AuditWriterSuite.Call(1), _cancel); // A's first commit is checkpointed
        await Writer(a).AppendAsync(AuditWriterSuite.Call(2), _cancel); // and this one is checked by B as it joins
        var ownFile = EmptyAnchorFile("shield-b");

        await using var b = Instance("shield-b");
        var receipt = await Writer(b).AppendAsync(AuditWriterSuite.Call(3), _cancel);

        Assert.True(receipt.Recorded);
        Assert.Null(Writer(b).Tamper);
        Assert.Contains(b.Logs.Messages("AuditWriter"), m => m.Contains("joins the cluster's audit trail", StringComparison.Ordinal));
        Assert.Contains(new AuditAnchorFile(ownFile).ReadAll(), l => l.Kind == AuditAnchorKind.Checkpoint);
        var report = await b.Services.GetRequiredService<AuditVerifier>().VerifyAsync("test", _cancel);
        Assert.True(report.Intact, report.FirstBrokenLink?.Problem);
    }

    [Fact]
    public async Task AJoiningInstance_FindsARecordAlteredAfterTheNewestCheckpoint()
    {
        await using var a = Instance("shield-a");
        await Writer(a).AppendAsync(AuditWriterSuite.Call(1), _cancel);
        var altered = await Writer(a).AppendAsync(AuditWriterSuite.Call(2), _cancel);
        await using (var db = a.OpenDatabase())
        {
            await db.AuditRecords.Where(r => r.Sequence == altered.Sequence).ExecuteUpdateAsync(r => r.SetProperty(x => x.Task, "edited"), _cancel);
        }

        EmptyAnchorFile("shield-b");
        await using var b = Instance("shield-b");
        var refused = await Assert.ThrowsAsync<AuditUnavailableException>(async () => await Writer(b).AppendAsync(AuditWriterSuite.Call(3), _cancel));

        Assert.Contains("do not verify", Writer(b).Tamper!.Finding.Problem, StringComparison.Ordinal);
        Assert.Contains("altered", refused.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WithoutTheSettingToJoin_AnEmptyAnchorFileIsStillAFinding()
    {
        await using var a = Instance("shield-a");
        await Writer(a).AppendAsync(AuditWriterSuite.Call(1), _cancel);
        EmptyAnchorFile("shield-b");

        await using var b = Instance("shield-b", join: false);
        await Assert.ThrowsAsync<AuditUnavailableException>(async () => await Writer(b).AppendAsync(AuditWriterSuite.Call(2), _cancel));

        Assert.Contains("missing or empty", Writer(b).Tamper!.Finding.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATrailSealedOnlyWithTheKeyInTheDatabase_CannotBeJoined()
    {
        // Whoever can write the database can sign with the key kept there: no checkpoint of it vouches for the trail.
        await using var a = Instance("shield-a", keyFile: false);
        await Writer(a).AppendAsync(AuditWriterSuite.Call(1), _cancel);
        EmptyAnchorFile("shield-b");

        await using var b = Instance("shield-b", keyFile: false);
        await Assert.ThrowsAsync<AuditUnavailableException>(async () => await Writer(b).AppendAsync(AuditWriterSuite.Call(2), _cancel));

        Assert.Contains("no checkpoint in the trail is signed with a chain key file", Writer(b).Tamper!.Finding.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInstanceWhoseAnchorFileIsMissing_StillFindsItMissing()
    {
        await using var a = Instance("shield-a");
        await Writer(a).AppendAsync(AuditWriterSuite.Call(1), _cancel);

        await using var b = Instance("shield-b"); // no file created for it: its volume is not mounted, say
        await Assert.ThrowsAsync<AuditUnavailableException>(async () => await Writer(b).AppendAsync(AuditWriterSuite.Call(2), _cancel));

        Assert.Contains("missing or empty", Writer(b).Tamper!.Finding.Problem, StringComparison.Ordinal);
    }

    private static AuditWriter Writer(ShieldAppFactory app) => app.Services.GetRequiredService<AuditWriter>();

    private string AnchorPath(string instance) => Path.Combine(_folder.Path, "anchors", instance + ".anchors");

    private string EmptyAnchorFile(string instance)
    {
        var path = AnchorPath(instance);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return path;
    }

    private ShieldAppFactory Instance(string name, bool join = true, bool keyFile = true)
    {
        var key = Path.Combine(_folder.Path, "audit.key");
        if (!File.Exists(key))
        {
            File.WriteAllText(key, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        }

        return new()
        {
            Postgres = postgres,
            DataDirectory = _folder.Path,
            Settings = new Dictionary<string, string?>
            {
                ["Shield:Cluster:Enabled"] = "true",
                ["Shield:Cluster:InstanceName"] = name,
                ["Shield:Audit:AnchorFile"] = AnchorPath(name),
                ["Shield:Audit:KeyFile"] = keyFile ? key : null,
                ["Shield:Audit:JoinWithEmptyAnchorFile"] = join ? "true" : "false",
            },
        };
    }
}
