using Shield.Console.Accounts;
using Shield.Console.Approvals;
using Shield.Console.Auditing;
using Shield.Console.Authentication;
using Shield.Console.Governance;
using Shield.Console.Posture;
using Shield.Console.Registry;

namespace Shield.Console.Api;

internal static class ApiEndpoints
{
    /// <summary>
    /// Maps <c>/api</c>. Every endpoint requires a bearer token (never the console cookie) and checks the caller's
    /// role; errors are RFC 9457 problem details.
    /// </summary>
    public static void MapShieldApi(this IEndpointRouteBuilder endpoints, ApiAuthentication authentication)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization(ShieldPolicies.ApiCaller);
        api.MapMeApi();
        api.MapRegistryApi();
        api.MapGovernanceApi();
        api.MapAuditApi();
        api.MapApprovalsApi();
        api.MapPostureApi();
        if (authentication.IsLocal)
        {
            api.MapAuthApi();
            api.MapUsersApi();
        }
    }
}
