using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Shield.Console.Components.Pages.Registry;
using Shield.Core.Text;

namespace Shield.Console.Posture;

/// <summary>The posture report as one self-contained, printable HTML page (every value HTML-encoded).</summary>
public static class PostureHtml
{
    public static string Render(PostureReport report)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shield governance posture</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem;color:#222}h1{margin-bottom:0}table{border-collapse:collapse;margin:.5rem 0 1.5rem}")
            .Append("th,td{border:1px solid #bbb;padding:.25rem .6rem;text-align:left}th{background:#f2f2f2}.meta{color:#666}@media print{a{display:none}}")
            .Append("</style></head><body>");
        html.Append("<h1>Shield governance posture</h1><p class=\"meta\">Generated ").Append(E(Time(report.GeneratedAtUtc))).Append(" UTC</p>");

        var s = report.Servers;
        Section(html, "1. Which MCP servers are registered?", $"{s.Registered} registered, {s.Enabled} enabled.");
        Table(html, ["Server", "Transport", "Enabled", "Last discovery", .. s.List.FirstOrDefault()?.ToolsByState.Keys.Select(ToolText.State) ?? []],
            s.List.Select(x => (IEnumerable<string>)[x.Name, x.Transport.ToString(), YesNo(x.Enabled), Discovery(x), .. x.ToolsByState.Values.Select(Number)]));

        var a = report.Access;
        Section(html, "2. Which tools does each server expose?", $"{Counted.Of(a.CallableTools, "tool")} approved and callable; the table above counts every tool by state.");
        Section(html, "3. Which agents can call which tools?", $"{Counted.Of(a.Agents, "agent")} ({a.EnabledAgents} enabled), {Counted.Of(a.Grants, "grant")}. {a.Definition}");
        Table(html, ["Agent", "Enabled", "Allowed", "Only with approval", "Denied"],
            a.List.Select(x => (IEnumerable<string>)[x.Name, YesNo(x.Enabled), Number(x.Allowed), Number(x.NeedApproval), Number(x.Denied)]));

        var t = report.Audit;
        var verified = t.LastVerification is { } v
            ? $"Last verified {Time(v.AtUtc)} UTC by {v.By}: {(v.Intact ? $"intact, {Counted.Of(v.RecordsChecked, "record")}" : $"BROKEN at record {v.BrokenAt}: {v.Problem}")}."
            : "Never verified.";
        Section(html, "4. Is every tool call logged?",
            $"{Counted.Of(t.Records, "audit record")} ({t.ToolCallRecords:N0} of tool calls, {t.GovernanceRecords:N0} of governance changes), " +
            $"{(t.FirstAtUtc is { } f ? $"from {Time(f)} to {Time(t.LastAtUtc!.Value)} UTC" : "none yet")}. {verified} " +
            $"Retention: {(t.RetentionDays is { } days ? $"{days} days" : "keep forever")}. {Integrity(t.Integrity)}");

        var p = report.Approvals;
        Section(html, "5. Which calls are gated on human approval?",
            $"Tools that need a person's approval: {p.GatedTools} (risk threshold {p.RiskThreshold}). Approvals: {p.Requested:N0} requested, " +
            $"{p.Approved:N0} approved, {p.Rejected:N0} rejected, {p.Expired:N0} expired.");

        var n = report.Sessions;
        Section(html, "6. How are client credentials scoped, and when do they expire?",
            $"Agents get task-scoped session tokens: default lifetime {n.DefaultTtl}, at most {n.MaxTtl}; {n.Live} live now. " +
            $"Agents holding a Shield key: {n.AgentsWithKey}; bound to an Entra ID application: {n.AgentsBoundToEntra}.");
        Section(html, "Security events in the trail",
            $"Recorded {(t.FirstAtUtc is { } since ? $"since {Time(since)} UTC" : "so far")}: {report.SecurityEvents.Describe()}");
        return html.Append("</body></html>").ToString();
    }

    /// <summary>What protects the trail, in words; shared by the printable report and the Posture page.</summary>
    public static string Integrity(PostureIntegrity i) =>
        (i.KeyWarning ?? "Records are sealed with a chain key kept outside the database.") + " " +
        (i.AnchorFailure ?? $"Signed checkpoints are also written to the anchor file {i.AnchorFile}.") + " " +
        (i.TamperAlarm is { } alarm ? alarm + " " : "") +
        (i.TamperFindings > 0 ? $"Tampering was found and acknowledged {Counted.Of(i.TamperFindings, "time")}. " : "") +
        (i.Gaps > 0 ? $"Failing open, {Counted.Of(i.Gaps, "gap")} left {Counted.Of(i.CallsUnrecorded, "call")} unrecorded." : "No gaps: nothing went unrecorded.");

    private static void Section(StringBuilder html, string question, string answer) =>
        html.Append("<h2>").Append(E(question)).Append("</h2><p>").Append(E(answer)).Append("</p>");

    private static void Table(StringBuilder html, IEnumerable<string> headers, IEnumerable<IEnumerable<string>> rows)
    {
        html.Append("<table><thead><tr>");
        foreach (var header in headers)
        {
            html.Append("<th>").Append(E(header)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(E(cell)).Append("</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
    }

    private static string Discovery(PostureServer server) => server.LastDiscoveryAtUtc is { } at
        ? $"{Time(at)} ({(server.LastDiscoverySucceeded == true ? "succeeded" : "failed")})"
        : "never";

    private static string E(string value) => HtmlEncoder.Default.Encode(value);

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTime value) => value.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
