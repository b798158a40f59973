namespace Shield.Core.Redaction;

/// <summary>
/// What an administrator adds to the built-in detectors: more secret key names, and named patterns (the
/// <c>redaction</c> part of the governance document). The built-in detectors always apply. Two rule sets are equal when
/// they hold the same keys and patterns in the same order. <see cref="RedactionRulesValidator"/> says whether a set may be stored.
/// </summary>
public sealed record RedactionRules(IReadOnlyList<string> Keys, IReadOnlyList<RedactionPattern> Patterns)
{
    public const int MaxKeys = 200;
    public const int MaxKeyLength = 100;
    public const int MaxPatterns = 100;
    public const int MaxNameLength = 64;
    public const int MaxRegexLength = 1000;

    public static RedactionRules None { get; } = new([], []);

    public bool IsEmpty => Keys.Count == 0 && Patterns.Count == 0;

    public bool Equals(RedactionRules? other) =>
        other is not null && Keys.SequenceEqual(other.Keys, StringComparer.Ordinal) && Patterns.SequenceEqual(other.Patterns);

    public override int GetHashCode() => HashCode.Combine(Keys.Count, Patterns.Count);
}

/// <summary>A named regular expression whose matches are masked as <c>[REDACTED:name]</c>.</summary>
public sealed record RedactionPattern(string Name, string Regex);

/// <summary>One problem in a rule set, at its path inside the <c>redaction</c> section: <c>keys[1]</c>, <c>patterns[2].regex</c>.</summary>
public sealed record RedactionProblem(string Path, string Message);
