namespace Shield.Console.Registry;

/// <summary>One sentence that says what a discovery changed.</summary>
public static class DiscoverySummary
{
    public static string Of(DiscoveryReport report)
    {
        if (!report.Succeeded)
        {
            return $"Discovery of {report.Server} failed: {report.Error}";
        }

        List<string> parts = [];
        Add(parts, report.Added.Count, "new (waiting for review)");
        Add(parts, report.Quarantined.Count, "quarantined (changed since approval)");
        Add(parts, report.Changed.Count, "changed");
        Add(parts, report.Removed.Count, "removed");
        Add(parts, report.Returned.Count, "back again");
        Add(parts, report.Rejected.Count, "rejected");
        return parts.Count == 0
            ? $"{report.Server}: no changes ({report.Unchanged} tool(s) as before)."
            : $"{report.Server}: {string.Join(", ", parts)}.";
    }

    private static void Add(List<string> parts, int count, string what)
    {
        if (count > 0)
        {
            parts.Add($"{count} {what}");
        }
    }
}
