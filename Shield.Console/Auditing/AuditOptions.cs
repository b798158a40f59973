using Microsoft.Extensions.Options;

namespace Shield.Console.Auditing;

/// <summary><c>Shield:Audit</c>: how the audit trail is written.</summary>
public sealed class AuditOptions
{
    public const string SectionName = "Shield:Audit";

    /// <summary>
    /// When the trail cannot be written, go on without it. Off by default: Shield then refuses what it cannot record
    /// and reports itself unhealthy. Turn on only where availability matters more than a complete record.
    /// </summary>
    public bool FailOpen { get; set; }

    /// <summary>Keep audit records this many days, then prune them (the pruning is itself recorded). Empty: keep forever.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>How many records may wait for the writer; callers beyond it wait for room (nothing is dropped).</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>The most records committed in one transaction.</summary>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>
    /// How often the writer signs a checkpoint of the chain's head (at most; only when records were added; zero: after
    /// every batch). A tail cut off after the last checkpoint cannot be told from one never written.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);
}

internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
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

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
