namespace Shield.Core.Registry;

/// <summary>
/// A tool's one name, as agents see it in the relay and as every page, report and message shows it:
/// <c>&lt;server&gt;__&lt;tool&gt;</c>. What people and scripts write may also be <c>&lt;server&gt;/&lt;tool&gt;</c>, the
/// governance document's way of pairing the two. Server names are slugs (<see cref="ServerName"/>) and hold neither
/// <c>__</c> nor <c>/</c>, so the first of them always ends the server's name, whatever the tool's name holds.
/// </summary>
public static class QualifiedToolName
{
    public const string Separator = "__";

    public static string Of(string server, string tool) => server + Separator + tool;

    /// <summary>Reads <c>&lt;server&gt;__&lt;tool&gt;</c> or <c>&lt;server&gt;/&lt;tool&gt;</c>; false for anything else.</summary>
    public static bool TryParse(string? written, out string server, out string tool)
    {
        (server, tool) = ("", "");
        if (string.IsNullOrEmpty(written))
        {
            return false;
        }

        var underscores = written.IndexOf(Separator, StringComparison.Ordinal);
        var slash = written.IndexOf('/', StringComparison.Ordinal);
        var (at, length) = slash >= 0 && (underscores < 0 || slash < underscores) ? (slash, 1) : (underscores, Separator.Length);
        if (at <= 0 || at + length >= written.Length)
        {
            return false;
        }

        (server, tool) = (written[..at], written[(at + length)..]);
        return true;
    }
}
