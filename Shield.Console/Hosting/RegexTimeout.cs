namespace Shield.Console.Hosting;

/// <summary>
/// A time limit for every regular expression in the process that sets none of its own. Tool schemas come from
/// upstream servers, and the JSON schema library matches their <c>pattern</c> keywords (and some formats) against the
/// agent's arguments with no limit: a pattern that backtracks badly could hold a core for minutes. With this limit
/// such a match fails, and the call is refused. Set before any regular expression is used: the runtime reads it once.
/// </summary>
public static class RegexTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(1);

    public static void Apply() => AppContext.SetData("REGEX_DEFAULT_MATCH_TIMEOUT", Default);
}
