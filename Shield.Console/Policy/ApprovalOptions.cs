using Microsoft.Extensions.Options;
using Shield.Core.Registry;

namespace Shield.Console.Policy;

/// <summary><c>Shield:Approvals</c>: which calls always wait for a person, for how long, and by how many.</summary>
public sealed class ApprovalOptions
{
    public const string SectionName = "Shield:Approvals";

    /// <summary>Calls to tools at or above this risk need approval whatever the grants say (low, medium, high, critical).</summary>
    public RiskLevel RiskThreshold { get; set; } = RiskLevel.High;

    /// <summary>How long a call waits for a decision; unanswered, it expires and counts as denied.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many different reviewers must approve a call to a critical tool.</summary>
    public int CriticalApprovers { get; set; } = 2;

    /// <summary>How often a waiting call tells its agent it is still waiting (when the agent asked for progress).</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one round of a 2026-07-28 call that waits for approval is held before it answers "still waiting"
    /// (<c>input_required</c>) and the agent asks again: no request stays open for the whole wait.
    /// </summary>
    public TimeSpan RoundWait { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class ApprovalOptionsValidator : IValidateOptions<ApprovalOptions>
{
    public ValidateOptionsResult Validate(string? name, ApprovalOptions options)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(options.RiskThreshold))
        {
            errors.Add($"{ApprovalOptions.SectionName}:RiskThreshold must be Low, Medium, High or Critical.");
        }

        if (options.Timeout < TimeSpan.FromSeconds(10) || options.Timeout > TimeSpan.FromHours(24))
        {
            errors.Add($"{ApprovalOptions.SectionName}:Timeout must be between 00:00:10 and 1.00:00:00 (it is {options.Timeout}).");
        }

        if (options.CriticalApprovers is < 1 or > 5)
        {
            errors.Add($"{ApprovalOptions.SectionName}:CriticalApprovers must be between 1 and 5 (it is {options.CriticalApprovers}).");
        }

        if (options.ProgressInterval < TimeSpan.FromSeconds(1) || options.ProgressInterval > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{ApprovalOptions.SectionName}:ProgressInterval must be between 00:00:01 and 00:05:00 (it is {options.ProgressInterval}).");
        }

        if (options.RoundWait < TimeSpan.FromSeconds(1) || options.RoundWait > TimeSpan.FromMinutes(2))
        {
            errors.Add($"{ApprovalOptions.SectionName}:RoundWait must be between 00:00:01 and 00:02:00 (it is {options.RoundWait}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
