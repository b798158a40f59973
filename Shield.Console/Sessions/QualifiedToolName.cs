namespace Shield.Console.Sessions;

/// <summary>
/// Tools as agents see them: <c>&lt;server&gt;__&lt;tool&gt;</c>. Server names are slugs and can never contain the
/// separator, so the first <c>__</c> always splits correctly.
/// </summary>
public static class QualifiedToolName
{
    public const string Separator = "__";

    public static string Of(string server, string tool) => server + Separator + tool;

    public static bool TryParse(string? qualified, out string server, out string tool)
    {
        var at = qualified?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        (server, tool) = at > 0 && at + Separator.Length < qualified!.Length
            ? (qualified[..at], qualified[(at + Separator.Length)..])
            : ("", "");
        return server.Length > 0;
    }
}
