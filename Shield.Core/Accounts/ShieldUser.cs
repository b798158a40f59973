using Microsoft.AspNetCore.Identity;

namespace Shield.Core.Accounts;

/// <summary>A person with a local account. In Entra ID mode people are not stored here.</summary>
public sealed class ShieldUser : IdentityUser
{
    /// <summary>A disabled account cannot sign in, and its existing sign-ins stop working.</summary>
    public bool Enabled { get; set; } = true;

    public DateTime CreatedAtUtc { get; set; }
}
