namespace Shield.Core.Registry;

/// <summary>How much of a server's <c>tools/list</c> Shield accepts, so a hostile or broken server cannot exhaust it.</summary>
public sealed record ToolLimits(
    int MaxToolsPerServer = 10_000, int MaxPages = 1_000, int MaxDescriptionLength = 16_384, int MaxDefinitionLength = 262_144, long MaxListBytes = 16_777_216)
{
    public const int MaxNameLength = 128;
    public const int MaxTitleLength = 512;
}
