namespace Shield.Core.Registry;

/// <summary>How much harm a tool call can do. Calls at or above the configured level always wait for approval.</summary>
public enum RiskLevel
{
    Low,
    Medium,
    High,
    Critical,
}
