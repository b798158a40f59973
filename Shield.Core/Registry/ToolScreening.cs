using System.Text.RegularExpressions;

namespace Shield.Core.Registry;

/// <summary>A tool left out of the inventory, and why.</summary>
public sealed record RejectedTool(string Name, string Reason);

/// <summary>
/// Sorts what a server listed into tools Shield can inventory and tools it rejects: names outside MCP's allowed
/// characters, duplicate names (every copy is rejected: which one is real cannot be known), oversized descriptions
/// or definitions.
/// </summary>
public static partial class ToolScreening
{
    public static (IReadOnlyList<ToolDefinition> Accepted, IReadOnlyList<RejectedTool> Rejected) Screen(
        IReadOnlyList<ToolDefinition> listed, ToolLimits limits)
    {
        // Names that differ only in case count as duplicates: databases compare them case-insensitively, and so do people.
        var duplicates = listed.GroupBy(t => t.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        List<ToolDefinition> accepted = [];
        List<RejectedTool> rejected = [];
        foreach (var tool in listed)
        {
            if (Problem(tool, limits, duplicates) is { } reason)
            {
                if (!duplicates.Contains(tool.Name) || !rejected.Any(r => string.Equals(r.Name, tool.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    rejected.Add(new RejectedTool(Shorten(tool.Name), reason));
                }
            }
            else
            {
                accepted.Add(tool);
            }
        }

        return (accepted, rejected);
    }

    private static string? Problem(ToolDefinition tool, ToolLimits limits, HashSet<string> duplicates)
    {
        if (tool.Name.Length is 0 or > ToolLimits.MaxNameLength || !AllowedName().IsMatch(tool.Name))
        {
            return $"the name must be 1 to {ToolLimits.MaxNameLength} characters of A-Z, a-z, 0-9, underscore, hyphen and dot";
        }

        if (duplicates.Contains(tool.Name))
        {
            return "the server lists more than one tool with this name";
        }

        if (tool.Title?.Length > ToolLimits.MaxTitleLength)
        {
            return $"the title has {tool.Title.Length:N0} characters; the limit is {ToolLimits.MaxTitleLength:N0}";
        }

        if (tool.Description?.Length > limits.MaxDescriptionLength)
        {
            return $"the description has {tool.Description.Length:N0} characters; the limit is {limits.MaxDescriptionLength:N0}";
        }

        return tool.Canonical.Length > limits.MaxDefinitionLength
            ? $"the definition has {tool.Canonical.Length:N0} characters; the limit is {limits.MaxDefinitionLength:N0}"
            : null;
    }

    public static string Shorten(string name) => name.Length <= ToolLimits.MaxNameLength ? name : name[..ToolLimits.MaxNameLength] + "…";

    [GeneratedRegex("^[A-Za-z0-9_.-]+$")]
    private static partial Regex AllowedName();
}
