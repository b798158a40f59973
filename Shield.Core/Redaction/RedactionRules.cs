namespace Shield.Core.Redaction;

/// <summary>
/// What an administrator adds to the built-in detectors: more secret key names, and named patterns (the
/// <c>redaction</c> part of the governance document). The built-in detectors always apply.
/// </summary>
public sealed record RedactionRules(IReadOnlyList<string> Keys, IReadOnlyList<RedactionPattern> Patterns)
{
    public static RedactionRules None { get; } = new([], []);
}

/// <summary>A named regular expression whose matches are masked as <c>[REDACTED:name]</c>.</summary>
public sealed record RedactionPattern(string Name, string Regex);
