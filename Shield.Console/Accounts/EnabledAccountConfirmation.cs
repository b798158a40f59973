using Microsoft.AspNetCore.Identity;
using Shield.Core.Accounts;

namespace Shield.Console.Accounts;

/// <summary>
/// Identity asks whether an account is "confirmed" before every sign-in; for Shield that means enabled,
/// so a disabled account gets <see cref="SignInResult.NotAllowed"/> whatever its password.
/// </summary>
internal sealed class EnabledAccountConfirmation : IUserConfirmation<ShieldUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<ShieldUser> manager, ShieldUser user) => Task.FromResult(user.Enabled);
}
