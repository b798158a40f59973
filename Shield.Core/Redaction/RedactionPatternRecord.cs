namespace Shield.Core.Redaction;

/// <summary>
/// A named pattern an administrator added, stored in the order given: patterns run in that order, so where two match the
/// same text the earlier one names the mask (see <see cref="RedactionRules"/>).
/// </summary>
public sealed class RedactionPatternRecord
{
    public long Id { get; set; }

    /// <summary>Where the pattern stands in the list, from 0.</summary>
    public int Position { get; set; }

    public string Name { get; set; } = "";

    public string Regex { get; set; } = "";
}
