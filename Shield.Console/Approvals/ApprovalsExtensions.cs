using Shield.Console.Api;
using Shield.Console.Authentication;

namespace Shield.Console.Approvals;

internal static class ApprovalsExtensions
{
    /// <summary>The approval gate, the reviewers' desk and live feed, the restart clean-up, the expiry of orphaned requests, and in a cluster the
    /// following of what the other instances queue and decide.</summary>
    public static void AddApprovals(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSignalR().AddJsonProtocol(options => ApiJson.SpeakInNames(options.PayloadSerializerOptions));
        services.AddSingleton<ApprovalFeed>();
        services.AddSingleton<ApprovalDesk>();
        services.AddSingleton<ApprovalGate>();
        services.AddHostedService<ApprovalRecovery>();
        services.AddSingleton<ApprovalExpiry>();
        services.AddHostedService(provider => provider.GetRequiredService<ApprovalExpiry>());
        services.AddHostedService<ApprovalFollower>();
        services.AddSingleton<ReviewerConnections>();
        services.AddHostedService(provider => provider.GetRequiredService<ReviewerConnections>());
    }

    /// <summary>
    /// <c>/hubs/approvals</c> for reviewers' clients, with the API's bearer tokens (never the console cookie). A connection
    /// closes when the token it was opened with expires, or when its person loses the right to review: at once when the
    /// account is changed here, within <see cref="ReviewerConnections.Interval"/> when elsewhere.
    /// </summary>
    public static void MapApprovalsHub(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHub<ApprovalsHub>(ApprovalsHub.Path, options => options.CloseOnAuthenticationExpiration = true)
            .RequireAuthorization(ShieldPolicies.ApiCaller, ShieldPolicies.Review);
}
