namespace Shield.Core.Accounts;

/// <summary>The app roles of Shield. The same names are used for local accounts and Entra ID app roles.</summary>
public static class ShieldRoles
{
    /// <summary>Registers servers, approves tools, manages agents, grants, sessions and users.</summary>
    public const string Admin = "Shield.Admin";

    /// <summary>Decides pending tool calls in the approval queue.</summary>
    public const string Reviewer = "Shield.Reviewer";

    /// <summary>Reads, exports and verifies the audit trail; reads the registry and grants.</summary>
    public const string Auditor = "Shield.Auditor";

    public static IReadOnlyList<string> All { get; } = [Admin, Reviewer, Auditor];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}
