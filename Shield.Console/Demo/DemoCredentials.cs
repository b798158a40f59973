using Shield.Console.Accounts;
using Shield.Core.Accounts;

namespace Shield.Console.Demo;

/// <summary>The demo's people and agents, with passwords made at each start and agent keys issued at each start.</summary>
public sealed class DemoCredentials
{
    public const string AdminEmail = "admin@demo.shield";
    public const string ReviewerEmail = "reviewer@demo.shield";
    public const string AuditorEmail = "auditor@demo.shield";

    public IReadOnlyList<(string Email, string Role, string Password)> People { get; } =
    [
        (AdminEmail, ShieldRoles.Admin, PasswordPolicy.Generate()),
        (ReviewerEmail, ShieldRoles.Reviewer, PasswordPolicy.Generate()),
        (AuditorEmail, ShieldRoles.Auditor, PasswordPolicy.Generate()),
    ];

    /// <summary>Each demo agent's key, once the seeder has issued it.</summary>
    public Dictionary<string, string> AgentKeys { get; } = new(StringComparer.Ordinal);

    public string PasswordOf(string email) => People.Single(p => p.Email == email).Password;
}
