using System.Diagnostics.CodeAnalysis;
using System.Net.Mail;
using System.Text;
using Shield.Core.Text;

namespace Shield.Core.Accounts;

/// <summary>
/// A person as an agent's owner names them: an email address (also in display-name form, <c>Rita &lt;rita@example.com&gt;</c>)
/// or an account id (a GUID: a local account's id or an Entra ID object id). Every spelling of the same person has one
/// normal form: characters that do not display removed, compatibility forms folded (NFKC: full-width letters are
/// letters), surrounding spaces trimmed, the address alone of a display-name form, lower case. Owners are stored in it,
/// and the own-agent rule compares reviewers in it, so no spelling lets an owner approve their own agent's calls.
/// </summary>
public static class Person
{
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="text"/> names no person, or null when it does (or is empty: no owner).</summary>
    public static string? Problem(string? text)
    {
        var cleaned = Clean(text);
        if (cleaned.Length == 0 || Guid.TryParse(cleaned, out _))
        {
            return null;
        }

        if (!IsOneAddress(cleaned, out var address))
        {
            return $"'{HiddenText.Reveal(text)}' is not a person: give the owner's email address (rita@example.com, or Rita <rita@example.com>) or their account id. The owner may not approve the agent's calls.";
        }

        return address.Address.Length > MaxLength ? $"The owner's address is longer than {MaxLength} characters." : null;
    }

    /// <summary>The normal form of a person's name, for storing and comparing; text that names no person is only cleaned and lower-cased.</summary>
    public static string Normalize(string? text)
    {
        var cleaned = Clean(text);
        if (Guid.TryParse(cleaned, out var id))
        {
            return id.ToString("D");
        }

        return (IsOneAddress(cleaned, out var address) ? address.Address : cleaned).ToLowerInvariant();
    }

    /// <summary>Whether two spellings name the same person; an empty name is nobody.</summary>
    public static bool Same(string? one, string? other) => Normalize(one) is { Length: > 0 } normal && normal == Normalize(other);

    // One address, alone or after a display name: MailAddress also takes the first of a list, which names no one person.
    private static bool IsOneAddress(string text, [NotNullWhen(true)] out MailAddress? address) =>
        MailAddress.TryCreate(text, out address)
        && (text.Equals(address.Address, StringComparison.OrdinalIgnoreCase) || text.EndsWith($"<{address.Address}>", StringComparison.OrdinalIgnoreCase));

    private static string Clean(string? text) => string.IsNullOrEmpty(text) ? "" : HiddenText.Remove(text).Normalize(NormalizationForm.FormKC).Trim();
}
