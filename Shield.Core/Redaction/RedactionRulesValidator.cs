using System.Text.RegularExpressions;

namespace Shield.Core.Redaction;

/// <summary>
/// Checks an administrator's redaction rules, for the governance document and the console alike, and reports every
/// problem at once with how to fix it. Keys are compared as the redactor compares them (letters and digits, any case),
/// and every regex is compiled exactly as the redactor runs it.
/// </summary>
public static partial class RedactionRulesValidator
{
    public static IReadOnlyList<RedactionProblem> Validate(RedactionRules rules)
    {
        List<RedactionProblem> problems = [];
        if (rules.Keys.Count > RedactionRules.MaxKeys)
        {
            problems.Add(new("keys", $"There are {rules.Keys.Count} keys; at most {RedactionRules.MaxKeys} are allowed. Remove some, or cover several with one part of a name (\"secret\" also masks \"client_secret\")."));
        }

        for (var i = 0; i < rules.Keys.Count; i++)
        {
            if (KeyProblem(rules.Keys, i) is { } message)
            {
                problems.Add(new($"keys[{i}]", message));
            }
        }

        if (rules.Patterns.Count > RedactionRules.MaxPatterns)
        {
            problems.Add(new("patterns", $"There are {rules.Patterns.Count} patterns; at most {RedactionRules.MaxPatterns} are allowed. Remove some, or combine alternatives into one regex with |."));
        }

        for (var i = 0; i < rules.Patterns.Count; i++)
        {
            if (NameProblem(rules.Patterns, i) is { } name)
            {
                problems.Add(new($"patterns[{i}].name", name));
            }

            if (RegexProblem(rules.Patterns[i].Regex) is { } regex)
            {
                problems.Add(new($"patterns[{i}].regex", regex));
            }
        }

        return problems;
    }

    private static string? KeyProblem(IReadOnlyList<string> keys, int index)
    {
        var key = keys[index];
        if (string.IsNullOrWhiteSpace(key))
        {
            return "The key is empty: give a key name such as \"patient_id\", or remove the entry.";
        }

        if (key != key.Trim())
        {
            return $"'{key}' has spaces around it: write it as '{key.Trim()}'.";
        }

        if (key.Length > RedactionRules.MaxKeyLength)
        {
            return $"The key is {key.Length} characters long; at most {RedactionRules.MaxKeyLength} are allowed. A part of the name is enough: \"patient\" also masks \"patient_name\".";
        }

        var normalized = Redactor.Normalize(key);
        if (normalized.Length == 0)
        {
            return $"'{key}' has no letter or digit. Keys are compared by their letters and digits only, so it would mask nothing.";
        }

        for (var j = 0; j < index; j++)
        {
            if (keys[j] is { } earlier && Redactor.Normalize(earlier) == normalized)
            {
                return $"'{key}' is the same key as keys[{j}] ('{earlier}'): keys are compared by their letters and digits, ignoring case. List it once.";
            }
        }

        return null;
    }

    private static string? NameProblem(IReadOnlyList<RedactionPattern> patterns, int index)
    {
        var name = patterns[index].Name;
        if (string.IsNullOrEmpty(name) || name.Length > RedactionRules.MaxNameLength || !NameFormat().IsMatch(name))
        {
            return $"'{name}' is not a pattern name: use 1 to {RedactionRules.MaxNameLength} lowercase letters, digits and dashes, such as \"employee-id\". Matches are masked as [REDACTED:<name>].";
        }

        for (var j = 0; j < index; j++)
        {
            if (patterns[j].Name == name)
            {
                return $"patterns[{j}] is named {name} too: give each pattern its own name.";
            }
        }

        return null;
    }

    private static string? RegexProblem(string? regex)
    {
        if (string.IsNullOrEmpty(regex))
        {
            return "The regex is empty: give a .NET regular expression such as EMP-\\d{6}.";
        }

        if (regex.Length > RedactionRules.MaxRegexLength)
        {
            return $"The regex is {regex.Length} characters long; at most {RedactionRules.MaxRegexLength:N0} are allowed. Split it into several patterns.";
        }

        Regex compiled;
        try
        {
            compiled = Redactor.Compile(regex);
        }
        catch (ArgumentException error)
        {
            return $"The regex does not compile: {error.Message} Fix it and try again (.NET regular expression syntax).";
        }

        try
        {
            if (compiled.IsMatch(""))
            {
                return "The regex matches empty text, so it would put a mask between every character. Make it need at least one character (for example + instead of *).";
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // Empty text cannot take long; a timeout here is left to the redactor, which masks what it cannot check.
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NameFormat();
}
