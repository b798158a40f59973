using System.Text.RegularExpressions;

namespace Shield.Core.Registry;

/// <summary>
/// Server names are slugs: lowercase letters, digits and single hyphens, 1 to 48 characters, starting with a letter.
/// They prefix tool names as <c>&lt;server&gt;__&lt;tool&gt;</c>, so they can never contain the separator.
/// </summary>
public static partial class ServerName
{
    public const int MaxLength = 48;

    public static string? Problem(string? name) => name switch
    {
        null or "" => "A name is required.",
        { Length: > MaxLength } => $"The name is longer than {MaxLength} characters.",
        _ when !Slug().IsMatch(name) => $"'{name}' is not a slug: use lowercase letters, digits and single hyphens, starting with a letter (for example crm or github-issues).",
        _ => null,
    };

    [GeneratedRegex("^[a-z](?:-?[a-z0-9])*$")]
    private static partial Regex Slug();
}
