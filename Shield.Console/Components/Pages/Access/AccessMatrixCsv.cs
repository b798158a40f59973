using System.Globalization;
using CsvHelper;
using Shield.Core.Policy;

namespace Shield.Console.Components.Pages.Access;

/// <summary>The access matrix as CSV, one line per agent and tool: decision, reason, deciding grant.</summary>
public static class AccessMatrixCsv
{
    public sealed record Line(string Agent, string Tool, DecisionKind Decision, string Reason, string? Grant);

    public static string Write(IEnumerable<Line> lines)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, leaveOpen: true))
        {
            csv.WriteHeader("agent", "tool", "decision", "reason", "grant");
            foreach (var line in lines)
            {
                csv.WriteRecord(line.Agent, line.Tool,
                    line.Decision switch { DecisionKind.Allow => "allow", DecisionKind.RequireApproval => "approve", _ => "deny" },
                    line.Reason, line.Grant ?? "");
            }
        }

        return text.ToString();
    }
}
