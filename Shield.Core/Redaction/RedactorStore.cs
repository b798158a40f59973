namespace Shield.Core.Redaction;

/// <summary>
/// Holds the <see cref="Redactor"/> for the administrators' current rules: the built-in detectors alone until the
/// rules are first loaded. Readers take it without locking; <see cref="Replace"/> builds a whole new redactor and swaps
/// it in at once, so a call is never redacted with half a rule set. The console's policy refresh replaces it from the
/// database after every governance change.
/// </summary>
public sealed class RedactorStore
{
    private Redactor _current = Redactor.Default;

    public Redactor Current => Volatile.Read(ref _current);

    /// <summary>Builds a redactor for <paramref name="rules"/> and makes it current.</summary>
    /// <exception cref="ArgumentException">The rules are not valid (see <see cref="RedactionRulesValidator"/>); the current redactor stays.</exception>
    public void Replace(RedactionRules rules)
    {
        if (RedactionRulesValidator.Validate(rules) is [_, ..] problems)
        {
            throw new ArgumentException(
                "The redaction rules are not valid, so the previous ones stay in force: " + string.Join(" ", problems.Select(p => $"{p.Path}: {p.Message}")),
                nameof(rules));
        }

        Volatile.Write(ref _current, new Redactor(rules));
    }
}
