using Microsoft.Extensions.Options;
using Shield.Core.Persistence;

namespace Shield.Console.Auditing;

/// <summary>What Shield does when it finds the trail altered at start.</summary>
public enum AuditTamperResponse
{
    /// <summary>Record nothing, and so refuse every call, until an administrator acknowledges the finding.</summary>
    Halt,

    /// <summary>Record the finding at once and go on; the console still shows it.</summary>
    Record,
}

/// <summary><c>Shield:Audit</c>: how the audit trail is written.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Shield:Audit";

    /// <summary>
    /// When the trail cannot be written, go on without it. Off by default: Shield then refuses what it cannot record
    /// and reports itself unhealthy. Turn on only where availability matters more than a complete record; what goes
    /// through unrecorded is counted and written as an <c>audit.gap</c> record once the trail can be written again.
    /// </summary>
    public bool FailOpen { get; set; }

    /// <summary>Keep audit records this many days, then prune them (the pruning is itself recorded). Empty: keep forever.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>How many records may wait for the writer; callers beyond it wait for room (nothing is dropped).</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>The most records committed in one transaction.</summary>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>
    /// How often the writer signs a checkpoint of the chain's head and writes it to the anchor file (at most; only when
    /// records were added; zero: after every batch). Records written after the last anchor can be cut off unnoticed.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A file holding the chain key (at least 32 random bytes, as base64 text or raw): it seals every record and signs
    /// checkpoints, anchors and export manifests. Keep it outside the database's reach. Empty: the key kept in the
    /// database is used, and whoever can read the database can forge records (a warning says so at every start).
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>
    /// Key files the trail was sealed with before <see cref="KeyFile"/> (after a rotation): used only to check what they
    /// sealed, and to hand the chain over to the new key at start. Keep each as long as the records it sealed.
    /// </summary>
    public string[] PreviousKeyFiles { get; set; } = [];

    /// <summary>
    /// The append-only file each signed checkpoint is also written to, in a folder of its own: put it on another volume
    /// or a write-once mount, out of reach of whoever can write the database. Empty: an <c>anchors</c> folder beside
    /// the SQLite database, or <c>data/anchors</c> under the content root.
    /// </summary>
    public string? AnchorFile { get; set; }

    /// <summary>
    /// An instance of a cluster may join a trail that already holds records with an <see cref="AnchorFile"/> of its own
    /// that exists and is empty: set it for an instance's first start only. Otherwise an empty anchor file under a trail
    /// with records is tampering found, as on one node.
    /// </summary>
    public bool JoinWithEmptyAnchorFile { get; set; }

    /// <summary>
    /// The most a caller waits for its record when the store is locked, slow or unreachable, before it is refused
    /// (fail closed) or goes on unrecorded (fail open). A commit may take half of it; on SQLite at least a second.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a record nobody waits for (a call's outcome, written after the call was answered) may wait for one that
    /// somebody does (the agent's next call), so that both share one commit and one sync to disk. Zero: commit it at
    /// once. Whatever else arrives (a record awaited, a flush, a governance change, Shield stopping) ends the wait.
    /// </summary>
    public TimeSpan GroupCommitWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>What to do when the trail is found altered at start.</summary>
    public AuditTamperResponse OnTamper { get; set; } = AuditTamperResponse.Halt;

    /// <summary>How long one commit may take: half of <see cref="StoreTimeout"/>.</summary>
    public TimeSpan CommitTimeout => StoreTimeout / 2;

    /// <summary>The anchor file's full path.</summary>
    public string AnchorPath(DatabaseOptions database, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(AnchorFile))
        {
            return Path.GetFullPath(Path.Combine(contentRoot, AnchorFile));
        }

        return database.SqliteFile is { } file
            ? Path.Combine(Path.GetDirectoryName(file)!, "anchors", Path.GetFileName(file) + ".anchors")
            : Path.Combine(contentRoot, "data", "anchors", "audit.anchors");
    }

    /// <summary>The previous key files' full paths.</summary>
    public IEnumerable<string> PreviousKeyPaths(string contentRoot) =>
        PreviousKeyFiles.Where(f => !string.IsNullOrWhiteSpace(f)).Select(f => Path.GetFullPath(Path.Combine(contentRoot, f)));

    /// <summary>The key file's full path, or null when none is configured.</summary>
    public string? KeyPath(string contentRoot) =>
        string.IsNullOrWhiteSpace(KeyFile) ? null : Path.GetFullPath(Path.Combine(contentRoot, KeyFile));
}

internal sealed class AuditOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        List<string> errors = [];
        if (options.QueueCapacity is < 1 or > 1_000_000)
        {
            errors.Add($"{AuditOptions.SectionName}:QueueCapacity is {options.QueueCapacity}; give a number from 1 to 1000000 (default 10000).");
        }

        if (options.BatchSize is < 1 or > 10_000)
        {
            errors.Add($"{AuditOptions.SectionName}:BatchSize is {options.BatchSize}; give a number from 1 to 10000 (default 1000).");
        }

        if (options.CheckpointInterval < TimeSpan.Zero || options.CheckpointInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{AuditOptions.SectionName}:CheckpointInterval is {options.CheckpointInterval}; give a duration from 00:00:00 (every batch) to 01:00:00, such as 00:00:01.");
        }

        if (options.RetentionDays is < 1 or > 36_500)
        {
            errors.Add($"{AuditOptions.SectionName}:RetentionDays is {options.RetentionDays}; give a number of days from 1 to 36500, or leave it empty to keep every record.");
        }

        if (options.StoreTimeout < TimeSpan.FromMilliseconds(200) || options.StoreTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{AuditOptions.SectionName}:StoreTimeout is {options.StoreTimeout}; give a duration from 00:00:00.2 to 00:01:00 (default 00:00:02).");
        }

        if (options.GroupCommitWindow < TimeSpan.Zero || options.GroupCommitWindow > TimeSpan.FromMilliseconds(100))
        {
            errors.Add($"{AuditOptions.SectionName}:GroupCommitWindow is {options.GroupCommitWindow}; give a duration from 00:00:00 (commit at once) to 00:00:00.1 (default 00:00:00.005).");
        }

        if (!Enum.IsDefined(options.OnTamper))
        {
            errors.Add($"{AuditOptions.SectionName}:OnTamper is {options.OnTamper}; say Halt (refuse every call until an administrator acknowledges) or Record.");
        }

        if (options.KeyPath(environment.ContentRootPath) is { } keyPath && AuditKeyFile.Problem(keyPath) is { } problem)
        {
            errors.Add($"{AuditOptions.SectionName}:KeyFile '{options.KeyFile}' cannot be used: {problem}. " +
                "Point it to a file of at least 32 random bytes (for example: head -c 32 /dev/urandom | base64 > audit.key), or remove the setting.");
        }

        foreach (var (path, i) in options.PreviousKeyPaths(environment.ContentRootPath).Select((p, i) => (p, i)))
        {
            if (AuditKeyFile.Problem(path) is { } previous)
            {
                errors.Add($"{AuditOptions.SectionName}:PreviousKeyFiles:{i} '{path}' cannot be used: {previous}. Point it to the key file used before, or remove it.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
