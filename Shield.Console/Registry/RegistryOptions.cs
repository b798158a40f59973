using Microsoft.Extensions.Options;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary><c>Shield:Registry</c>: how often and how patiently Shield discovers upstream tools, and how much it accepts.</summary>
public sealed class RegistryOptions
{
    public const string SectionName = "Shield:Registry";

    /// <summary>How often every enabled server is discovered again.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one discovery may take, connecting included, before it is recorded as failed.</summary>
    public TimeSpan DiscoveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxToolsPerServer { get; set; } = 10_000;

    public int MaxPages { get; set; } = 1_000;

    public int MaxDescriptionLength { get; set; } = 16_384;

    /// <summary>The longest a tool's whole definition (canonical JSON of its schemas and texts) may be.</summary>
    public int MaxDefinitionLength { get; set; } = 262_144;

    /// <summary>The most one answer of a server during discovery (a page of <c>tools/list</c>) may hold, in bytes.</summary>
    public long MaxListBytes { get; set; } = 16_777_216;

    /// <summary>How many definitions a tool's history keeps: its current and approved ones, and the newest others.</summary>
    public int MaxDefinitionsPerTool { get; set; } = 10;

    internal ToolLimits Limits => new(MaxToolsPerServer, MaxPages, MaxDescriptionLength, MaxDefinitionLength, MaxListBytes);
}

internal sealed class RegistryOptionsValidator : IValidateOptions<RegistryOptions>
{
    public ValidateOptionsResult Validate(string? name, RegistryOptions options)
    {
        List<string> errors = [];
        if (options.RefreshInterval < TimeSpan.FromMinutes(1))
        {
            errors.Add($"{RegistryOptions.SectionName}:RefreshInterval is {options.RefreshInterval}; use at least 00:01:00 (one minute).");
        }

        if (options.DiscoveryTimeout < TimeSpan.FromSeconds(1) || options.DiscoveryTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{RegistryOptions.SectionName}:DiscoveryTimeout is {options.DiscoveryTimeout}; use between 00:00:01 and 00:10:00.");
        }

        Positive(errors, nameof(options.MaxToolsPerServer), options.MaxToolsPerServer);
        Positive(errors, nameof(options.MaxPages), options.MaxPages);
        Positive(errors, nameof(options.MaxDescriptionLength), options.MaxDescriptionLength);
        Positive(errors, nameof(options.MaxDefinitionLength), options.MaxDefinitionLength);
        if (options.MaxListBytes < 1_024)
        {
            errors.Add($"{RegistryOptions.SectionName}:MaxListBytes is {options.MaxListBytes}; use at least 1024.");
        }

        if (options.MaxDefinitionsPerTool < 2)
        {
            errors.Add($"{RegistryOptions.SectionName}:MaxDefinitionsPerTool is {options.MaxDefinitionsPerTool}; use at least 2 (a tool's approved and current definitions).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Positive(List<string> errors, string setting, int value)
    {
        if (value < 1)
        {
            errors.Add($"{RegistryOptions.SectionName}:{setting} is {value}; it must be a positive number.");
        }
    }
}
