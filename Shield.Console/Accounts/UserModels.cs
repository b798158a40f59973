namespace Shield.Console.Accounts;

/// <summary>A local account as the console and <c>/api/users</c> show it. Never carries a password or hash.</summary>
public sealed record UserView(string Id, string Email, IReadOnlyList<string> Roles, bool Enabled, bool LockedOut, DateTime CreatedAtUtc);

/// <summary>Body of <c>POST /api/users</c>.</summary>
public sealed record CreateUserRequest(string? Email, string? Password, IReadOnlyList<string>? Roles, bool? Enabled);

/// <summary>Body of <c>PUT /api/users/{id}</c>: only the properties given are changed.</summary>
public sealed record UpdateUserRequest(IReadOnlyList<string>? Roles, bool? Enabled, string? Password);

public enum UserErrorKind
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>Why a change to an account was refused; <see cref="Errors"/> maps a field to its messages.</summary>
public sealed record UserError(UserErrorKind Kind, string Message, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static UserError Invalid(string field, params string[] messages) =>
        new(UserErrorKind.Invalid, string.Join(" ", messages), new Dictionary<string, string[]> { [field] = messages });
}

/// <summary>The outcome of a change: the account as it is now, or the reason nothing changed.</summary>
public sealed record UserResult(UserView? User, UserError? Error)
{
    public static UserResult Ok(UserView user) => new(user, null);

    public static implicit operator UserResult(UserError error) => new(null, error);
}
