namespace Shield.Core.Redaction;

/// <summary>An extra secret key name an administrator added, stored in the order given (see <see cref="RedactionRules"/>).</summary>
public sealed class RedactionKeyRecord
{
    public long Id { get; set; }

    /// <summary>Where the key stands in the list, from 0.</summary>
    public int Position { get; set; }

    public string Key { get; set; } = "";
}
