using Microsoft.Extensions.Options;
using Shield.Core.Registry;

namespace Shield.Console.Policy;

/// <summary><c>Shield:Approvals</c>: which calls always wait for a person.</summary>
public sealed class ApprovalOptions
{
    public const string SectionName = "Shield:Approvals";

    /// <summary>Calls to tools at or above this risk need approval whatever the grants say (low, medium, high, critical).</summary>
    public RiskLevel RiskThreshold { get; set; } = RiskLevel.High;
}

internal sealed class ApprovalOptionsValidator : IValidateOptions<ApprovalOptions>
{
    public ValidateOptionsResult Validate(string? name, ApprovalOptions options) => Enum.IsDefined(options.RiskThreshold)
        ? ValidateOptionsResult.Success
        : ValidateOptionsResult.Fail($"{ApprovalOptions.SectionName}:RiskThreshold must be Low, Medium, High or Critical.");
}
