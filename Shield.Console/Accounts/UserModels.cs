namespace Shield.Console.Accounts;

/// <summary>A local account as the console and <c>/api/users</c> show it. Never carries a password or hash.</summary>
public sealed record UserView(string Id, string Email, IReadOnlyList<string> Roles, bool Enabled, bool LockedOut, DateTime CreatedAtUtc);

/// <summary>Body of <c>POST /api/users</c>.</summary>
public sealed record CreateUserRequest(string? Email, string? Password, IReadOnlyList<string>? Roles, bool? Enabled);

/// <summary>Body of <c>PUT /api/users/{id}</c>: only the properties given are changed.</summary>
public sealed record UpdateUserRequest(IReadOnlyList<string>? Roles, bool? Enabled, string? Password);
