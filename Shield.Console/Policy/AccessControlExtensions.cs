using Microsoft.Extensions.Options;
using Shield.Console.Agents;
using Shield.Console.Grants;
using Shield.Console.Redaction;
using Shield.Console.Sessions;
using Shield.Core.Policy;

namespace Shield.Console.Policy;

internal static class AccessControlExtensions
{
    /// <summary>Agents, grants, the policy engine and the redaction rules kept current, and task-scoped sessions.</summary>
    public static void AddAccessControl(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApprovalOptions>().Bind(builder.Configuration.GetSection(ApprovalOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApprovalOptions>, ApprovalOptionsValidator>();
        services.AddOptions<AgentSessionOptions>().Bind(builder.Configuration.GetSection(AgentSessionOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentSessionOptions>, AgentSessionOptionsValidator>();
        services.AddSingleton<PolicyStore>();
        services.AddSingleton<PolicyRefresh>();
        services.AddHostedService<PolicyWarmup>();
        services.AddSingleton<GovernanceFollower>();
        services.AddHostedService(provider => provider.GetRequiredService<GovernanceFollower>());
        services.AddSingleton<AgentDirectory>();
        services.AddSingleton<GrantBook>();
        services.AddSingleton<RedactionBook>();
        services.AddSingleton<SessionIssuer>();
        services.AddSingleton<SessionRefusals>();
    }
}
