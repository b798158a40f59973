using System.Text.Json;
using Shield.Core.Conditions;
using Shield.Core.Registry;

namespace Shield.Core.Grants;

/// <summary>What is wrong with a grant as written: where (a JSON path, or a form's field name), and a sentence naming the field.</summary>
public sealed record GrantProblem(string Path, string Message);

/// <summary>A tool a grant targets, with its pinned input schema (null while Shield has not discovered it).</summary>
public sealed record GrantTarget(string Name, JsonElement? InputSchema);

/// <summary>
/// The one check of a grant's <c>when</c>, run wherever grants are written (the console, the governance document and its
/// API): it parses, and it type-checks against the pinned input schema of each tool the grant targets. A grant on one
/// tool must fit that tool's schema; a grant on <c>*</c> must fit at least one tool of the server (where it does not
/// fit, it cannot be evaluated and denies). A tool not discovered yet has no schema: only the rest is checked then,
/// and arguments are checked as the condition runs.
/// </summary>
public static class GrantConditions
{
    public static IReadOnlyList<GrantProblem> Check(string? when, string server, string tool, IReadOnlyList<GrantTarget> targets, string path)
    {
        if (when is null)
        {
            return [];
        }

        if (string.IsNullOrWhiteSpace(when))
        {
            return [new(path, "The condition is empty: leave it out for a grant that always applies.")];
        }

        var (_, problems) = Condition.Compile(when);
        if (problems.Count > 0)
        {
            return [.. problems.Select(p => new GrantProblem(path, Sentence(p)))];
        }

        var schemas = targets.Where(t => t.InputSchema is not null).ToList();
        if (schemas.Count == 0)
        {
            return [];
        }

        var checks = schemas.Select(t => (t.Name, Condition.Compile(when, t.InputSchema).Problems)).ToList();
        if (tool != Grant.AllTools)
        {
            return [.. checks.SelectMany(c => c.Problems).Select(p => new GrantProblem(path, $"Against the input schema of {QualifiedToolName.Of(server, tool)}: {Sentence(p)}"))];
        }

        if (checks.Any(c => c.Problems.Count == 0))
        {
            return [];
        }

        var examples = string.Join("; ", checks.Take(3).Select(c => $"{QualifiedToolName.Of(server, c.Name)}: {Sentence(c.Problems[0])}"));
        return [new(path, $"The condition fits no tool of {server}, so the grant on * could never apply: {examples}")];
    }

    /// <summary>The tools of a server a grant on <paramref name="tool"/> targets (one, or all for <c>*</c>), with their input schemas.</summary>
    public static IReadOnlyList<GrantTarget> Targets(IEnumerable<RegisteredTool> serverTools, string tool) =>
        [.. serverTools.Where(t => t.State != ToolState.Removed && (tool == Grant.AllTools || t.Name == tool)).Select(t => new GrantTarget(t.Name, Schema(t.InputSchema)))];

    private static JsonElement? Schema(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Sentence(ConditionProblem problem) => $"{problem.Message} (at character {problem.Position + 1})";
}
