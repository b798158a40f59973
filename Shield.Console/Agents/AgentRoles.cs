using System.Text.RegularExpressions;

namespace Shield.Console.Agents;

/// <summary>Grant roles: lowercase letters, digits, hyphens and dots, up to 48 characters.</summary>
public static partial class AgentRoles
{
    public static string? Problem(string? role) => role is not null && Pattern().IsMatch(role)
        ? null
        : $"'{role}' is not a role name: lowercase letters, digits, hyphens and dots, up to 48 characters.";

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{0,47}$")]
    private static partial Regex Pattern();
}
