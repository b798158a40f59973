using System.Buffers;
using System.Text.RegularExpressions;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>Checks a <see cref="ServerInput"/> and reports every problem at once, by field.</summary>
internal static partial class ServerInputCheck
{
    // Headers that frame the request or that HTTP and MCP set themselves: one configured here would change what a request means.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Expect", "Accept", "Last-Event-ID",
    };

    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create([.. Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(char.IsControl)]);

    private static readonly SettingKind Header = new(HeaderName(), "a header name (letters, digits and ! # $ % & ' * + - . ^ _ ` | ~)", HeaderNameProblem, HeaderValueProblem);

    private static readonly SettingKind Variable = new(VariableName(), "an environment variable name (letters, digits and _, not starting with a digit)", _ => null, VariableValueProblem);

    public static Dictionary<string, string[]> Problems(ServerInput input)
    {
        Dictionary<string, List<string>> problems = [];
        void Add(string field, string message) => (problems.TryGetValue(field, out var list) ? list : problems[field] = []).Add(message);

        if (ServerName.Problem(input.Name) is { } name)
        {
            Add("name", name);
        }

        if (input.DisplayName?.Length > 200)
        {
            Add("displayName", "The display name is longer than 200 characters.");
        }

        if (input.Description?.Length > 2000)
        {
            Add("description", "The description is longer than 2,000 characters.");
        }

        if (input.Owner?.Length > 200)
        {
            Add("owner", "The owner is longer than 200 characters.");
        }

        Uri? url = null;
        if (input.Transport == ServerTransport.Http
            && (!Uri.TryCreate(input.Url, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https") || input.Url!.Length > 2048))
        {
            Add("url", "Give the server's streamable HTTP endpoint as an absolute http(s) URL, e.g. https://crm.internal/mcp.");
        }
        else if (input.Transport == ServerTransport.Http && !string.IsNullOrEmpty(url?.UserInfo))
        {
            Add("url", "Put credentials in a header (Authorization), not in the URL: the URL is shown to administrators and auditors.");
        }

        if (input.Transport == ServerTransport.Stdio && string.IsNullOrWhiteSpace(input.Command))
        {
            Add("command", "Give the program that starts the server, e.g. node or npx.");
        }

        Settings(input.Headers, "headers", Header, StringComparer.OrdinalIgnoreCase, Add);
        Settings(input.Environment, "environment", Variable, StringComparer.Ordinal, Add);
        return problems.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    /// <summary>Why a header's value cannot be sent, or null. Checked on input, and on the resolved value when connecting.</summary>
    /// <remarks>A line break would end the header and start one of the value's choosing; other control characters and
    /// non-ASCII text are mangled or refused on the way. A credential is printable ASCII.</remarks>
    public static string? HeaderValueProblem(string name, string value) => value.AsSpan().IndexOfAnyExceptInRange(' ', '~') is var at and >= 0
        ? $"The value of the header '{name}' holds {Character(value[at])} at position {at + 1}: a header value is printable ASCII, and a line break in one would add headers of its own."
        : null;

    /// <summary>Why an environment variable's value cannot be given to a process, or null.</summary>
    public static string? VariableValueProblem(string name, string value) => value.AsSpan().IndexOfAny(ControlCharacters) is var at and >= 0
        ? $"The value of the environment variable '{name}' holds {Character(value[at])} at position {at + 1}: control characters are refused."
        : null;

    private static void Settings(IReadOnlyList<SettingInput>? settings, string field, SettingKind kind, StringComparer comparer, Action<string, string> add)
    {
        foreach (var setting in settings ?? [])
        {
            var problem = !kind.Pattern.IsMatch(setting.Name ?? "")
                ? $"'{setting.Name}' is not {kind.What}."
                : kind.NameProblem(setting.Name!) ?? (setting.Value is { } value ? kind.ValueProblem(setting.Name!, value) : null);
            if (problem is not null)
            {
                add(field, problem);
            }
        }

        foreach (var reserved in (settings ?? []).Select(s => SecretSetting.ReservedVariable(s.Value ?? "")).OfType<string>())
        {
            add(field, $"{reserved} is one of Shield's own settings; Shield never sends it upstream. Refer to a variable of its own.");
        }

        foreach (var duplicate in (settings ?? []).GroupBy(s => s.Name, comparer).Where(g => g.Count() > 1))
        {
            add(field, $"'{duplicate.Key}' is given more than once.");
        }
    }

    private static string? HeaderNameProblem(string name) =>
        ReservedHeaders.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Mcp-", StringComparison.OrdinalIgnoreCase)
            ? $"'{name}' is set by HTTP or by MCP for each request; it cannot be configured."
            : null;

    private static string Character(char c) => $"{(char.IsControl(c) ? "a control character" : "a non-ASCII character")} (U+{(int)c:X4})";

    /// <summary>What a header or an environment variable may be called and hold.</summary>
    private sealed record SettingKind(Regex Pattern, string What, Func<string, string?> NameProblem, Func<string, string, string?> ValueProblem);

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")]
    private static partial Regex HeaderName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex VariableName();
}
