namespace Shield.Console.Accounts;

/// <summary>Tells whoever holds something granted by an account's roles (open hub connections) that an account changed.</summary>
public sealed class AccountChanges
{
    /// <summary>Raised after a change to an account's roles, state or password is committed.</summary>
    public event Action? Changed;

    public void Raise() => Changed?.Invoke();
}
