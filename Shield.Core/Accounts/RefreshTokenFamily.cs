namespace Shield.Core.Accounts;

/// <summary>
/// The refresh tokens of one sign-in through the API: each refresh hands out the next and spends the one used, so only
/// <see cref="CurrentTokenId"/> is ever accepted, once. The row is deleted when a spent token comes back (the family
/// was copied) or after <see cref="ExpiresAtUtc"/>.
/// </summary>
public sealed class RefreshTokenFamily
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public string UserId { get; set; } = "";

    /// <summary>The family's one unspent refresh token.</summary>
    public Guid CurrentTokenId { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    /// <summary>When <see cref="CurrentTokenId"/> expires; with it, the family.</summary>
    public DateTime ExpiresAtUtc { get; set; }
}
