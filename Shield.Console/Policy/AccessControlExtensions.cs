using Microsoft.Extensions.Options;
using Shield.Core.Policy;

namespace Shield.Console.Policy;

internal static class AccessControlExtensions
{
    /// <summary>The policy engine's snapshot, built at start and kept current with governance changes (this instance's and, in a cluster, the others').</summary>
    public static void AddAccessControl(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApprovalOptions>().Bind(builder.Configuration.GetSection(ApprovalOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApprovalOptions>, ApprovalOptionsValidator>();
        services.AddSingleton<PolicyStore>();
        services.AddSingleton<PolicyRefresh>();
        services.AddSingleton<TrailPreview>();
        services.AddHostedService<PolicyWarmup>();
        services.AddSingleton<GovernanceFollower>();
        services.AddHostedService(provider => provider.GetRequiredService<GovernanceFollower>());
    }
}
