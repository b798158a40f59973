using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Shield.Core.Redaction;

/// <summary>
/// Whether a key's name says its value is a secret, decided on the words of the name. A name is split into words at
/// every character that is not a letter or digit (<c>_ - . $ @</c>, spaces…), at camelCase humps (<c>apiKey</c>,
/// <c>APIKey</c>) and between letters and digits (<c>cvv2</c>). It names a secret when:
/// <list type="bullet">
/// <item>its letters and digits, run together, contain a strong part: <c>password</c>, <c>secret</c>, <c>apikey</c>,
/// <c>authorization</c>… (<c>x-api-key</c>, <c>API KEY</c> and <c>api$key</c> are all <c>xapikey</c> or <c>apikey</c>);</item>
/// <item>one of its words is a short secret word (<c>pass</c>, <c>pw</c>, <c>pin</c>, <c>cvv</c>…) or ends like one
/// (<c>totp</c>, <c>oauth</c>). Whole words only: <c>pin</c> never makes <c>pinned</c> or <c>spinner</c> secret;</item>
/// <item>two neighbouring words are a secret pair (<c>session id</c>, <c>card number</c>…);</item>
/// <item>one of its words is <c>tokens</c> or ends with <c>token</c> (<c>refresh_token</c>, <c>accesstoken</c>), unless
/// the key also has a counting word: <c>max_tokens</c> and <c>tokenCount</c> name counts, not credentials.</item>
/// </list>
/// </summary>
public static class SecretKeyName
{
    // Parts that make a key secret wherever they stand in its letters and digits run together.
    private static readonly string[] StrongParts =
    [
        "password", "passwd", "passphrase", "passcode", "secret", "apikey", "accesskey", "privatekey", "authorization",
        "credential", "cookie", "signature", "bearer",
    ];

    // Words that make a key secret when one of its words is exactly one of them.
    private static readonly string[] Words =
    [
        "pass", "pw", "pwd", "pin", "cvv", "cvc", "csc", "otp", "ssn", "auth", "sig", "jwt", "csrf", "xsrf", "sessionid",
    ];

    // Endings that make a word secret: dbpwd, totp, oauth, jsessionid, cardcvv.
    private static readonly string[] Endings = ["pwd", "otp", "auth", "sessionid", "cvv"];

    // Two neighbouring words that together make a key secret.
    private static readonly (string First, string Second)[] Pairs =
    [
        ("api", "key"), ("access", "key"), ("private", "key"), ("master", "key"), ("encryption", "key"), ("signing", "key"),
        ("ssh", "key"), ("session", "id"), ("card", "number"), ("security", "code"), ("access", "code"), ("recovery", "code"),
        ("backup", "code"),
    ];

    // Words that, in a key with a token word, make it a count: max_tokens, token_limit.
    private static readonly string[] CountWords = ["max", "min", "num", "count", "total", "limit", "budget", "used", "remaining"];

    private static readonly SearchValues<string> Strong = SearchValues.Create(StrongParts, StringComparison.Ordinal);
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> WordSet = Words.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> CountSet = CountWords.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether a value under <paramref name="name"/> is masked, by the built-in rule alone.</summary>
    public static bool IsSecret(string name) => IsSecret(name, null);

    /// <summary>The built-in rule, or any of <paramref name="ownParts"/> (an administrator's keys) within the run-together name.</summary>
    internal static bool IsSecret(ReadOnlySpan<char> name, SearchValues<string>? ownParts)
    {
        if (!Ascii.IsValid(name) && name.ToString() is var text && !text.IsNormalized(NormalizationForm.FormKC))
        {
            // Full-width and compatibility letters count as the letters they stand for: ｐａｓｓｗｏｒｄ is password.
            name = text.Normalize(NormalizationForm.FormKC);
        }

        var buffer = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        var starts = name.Length <= 256 ? stackalloc int[name.Length + 1] : new int[name.Length + 1];
        var (length, words) = Split(name, buffer, starts);
        ReadOnlySpan<char> squashed = buffer[..length];
        if (squashed.IndexOfAny(Strong) >= 0 || (ownParts is not null && squashed.IndexOfAny(ownParts) >= 0))
        {
            return true;
        }

        var tokenWord = false;
        var countWord = false;
        for (var i = 0; i < words; i++)
        {
            var word = squashed[starts[i]..starts[i + 1]];
            var isToken = word.EndsWith("token") || word.SequenceEqual("tokens");
            tokenWord |= isToken;
            countWord |= CountSet.Contains(word);
            if (!isToken && (WordSet.Contains(word) || EndsLikeASecret(word)))
            {
                return true;
            }

            if (i > 0 && IsPair(squashed[starts[i - 1]..starts[i]], word))
            {
                return true;
            }
        }

        return tokenWord && !countWord;
    }

    /// <summary>
    /// Writes the name's letters and digits in lower case into <paramref name="buffer"/> and where each word starts
    /// into <paramref name="starts"/>, with the end after the last word.
    /// </summary>
    private static (int Length, int Words) Split(ReadOnlySpan<char> name, Span<char> buffer, Span<int> starts)
    {
        var length = 0;
        var words = 0;
        var previous = '\0'; // the previous letter or digit, as written; '\0' after a separator
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!char.IsLetterOrDigit(c))
            {
                previous = '\0';
                continue;
            }

            var next = i + 1 < name.Length ? name[i + 1] : '\0';
            var boundary = previous == '\0'
                || (char.IsLower(previous) && char.IsUpper(c))
                || (char.IsUpper(previous) && char.IsUpper(c) && char.IsLower(next))
                || char.IsDigit(previous) != char.IsDigit(c);
            if (boundary)
            {
                starts[words++] = length;
            }

            buffer[length++] = char.ToLowerInvariant(c);
            previous = c;
        }

        starts[words] = length;
        return (length, words);
    }

    private static bool EndsLikeASecret(ReadOnlySpan<char> word)
    {
        foreach (var ending in Endings)
        {
            if (word.EndsWith(ending, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPair(ReadOnlySpan<char> first, ReadOnlySpan<char> second)
    {
        foreach (var pair in Pairs)
        {
            if (first.SequenceEqual(pair.First) && second.SequenceEqual(pair.Second))
            {
                return true;
            }
        }

        return false;
    }
}
