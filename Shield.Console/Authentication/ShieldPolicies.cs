using Microsoft.AspNetCore.Authorization;
using Shield.Core.Accounts;

namespace Shield.Console.Authentication;

/// <summary>
/// Who may use which area of the console and API. Admins change things; auditors read the registry, grants and
/// audit trail; reviewers decide approvals. Pages and endpoints name these policies, never roles directly.
/// </summary>
public static class ShieldPolicies
{
    /// <summary>Any of the three Shield roles: the dashboard.</summary>
    public const string AnyRole = "Shield.AnyRole";

    /// <summary>Changes to servers, tools, agents, grants, sessions and users.</summary>
    public const string Admin = "Shield.Admin";

    /// <summary>Reading the registry, tools, agents, grants and sessions: admins and auditors.</summary>
    public const string RegistryRead = "Shield.RegistryRead";

    /// <summary>The approval queue: reviewers.</summary>
    public const string Review = "Shield.Review";

    /// <summary>Reading, exporting and verifying the audit trail: auditors and admins.</summary>
    public const string AuditRead = "Shield.AuditRead";

    /// <summary>The session API: an agent authenticated with its key, and nothing else.</summary>
    public const string Agent = "Shield.Agent";

    /// <summary>The MCP relay: an agent's session token, and nothing else.</summary>
    public const string McpSession = "Shield.McpSession";

    /// <summary>Every <c>/api</c> endpoint: a caller authenticated with the API scheme (never the console cookie).</summary>
    public const string ApiCaller = "Shield.ApiCaller";

    internal static void Add(AuthorizationOptions options, ApiAuthentication api)
    {
        options.AddPolicy(AnyRole, p => p.RequireRole(ShieldRoles.All));
        options.AddPolicy(Admin, p => p.RequireRole(ShieldRoles.Admin));
        options.AddPolicy(RegistryRead, p => p.RequireRole(ShieldRoles.Admin, ShieldRoles.Auditor));
        options.AddPolicy(Review, p => p.RequireRole(ShieldRoles.Reviewer));
        options.AddPolicy(AuditRead, p => p.RequireRole(ShieldRoles.Auditor, ShieldRoles.Admin));
        // Agents authenticate with their key; in Entra ID mode also with a client-credentials token of a bound application.
        options.AddPolicy(Agent, p => p.AddAuthenticationSchemes(api.IsLocal ? [Sessions.AgentKeyAuthentication.SchemeName] : [Sessions.AgentKeyAuthentication.SchemeName, api.Scheme])
            .RequireAuthenticatedUser());
        options.AddPolicy(ApiCaller, p =>
        {
            p.AddAuthenticationSchemes(api.Scheme).RequireAuthenticatedUser();
            foreach (var requirement in api.Requirements)
            {
                p.AddRequirements(requirement);
            }
        });
    }
}
