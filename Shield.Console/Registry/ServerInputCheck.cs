using System.Text.RegularExpressions;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

/// <summary>Checks a <see cref="ServerInput"/> and reports every problem at once, by field.</summary>
internal static partial class ServerInputCheck
{
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

        Settings(input.Headers, "headers", HeaderName(), "a header name (letters, digits and - _ .)", StringComparer.OrdinalIgnoreCase, Add);
        Settings(input.Environment, "environment", VariableName(), "an environment variable name (letters, digits and _, not starting with a digit)", StringComparer.Ordinal, Add);
        return problems.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    private static void Settings(IReadOnlyList<SettingInput>? settings, string field, Regex pattern, string what, StringComparer comparer, Action<string, string> add)
    {
        foreach (var setting in settings ?? [])
        {
            if (!pattern.IsMatch(setting.Name ?? ""))
            {
                add(field, $"'{setting.Name}' is not {what}.");
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

    [GeneratedRegex("^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$")]
    private static partial Regex HeaderName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex VariableName();
}
