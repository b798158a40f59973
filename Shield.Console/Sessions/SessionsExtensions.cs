using Microsoft.Extensions.Options;

namespace Shield.Console.Sessions;

internal static class SessionsExtensions
{
    /// <summary>Task-scoped agent sessions: their settings, their issuer, and the record of what was refused.</summary>
    public static void AddSessions(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AgentSessionOptions>().Bind(builder.Configuration.GetSection(AgentSessionOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentSessionOptions>, AgentSessionOptionsValidator>();
        services.AddSingleton<SessionIssuer>();
        services.AddSingleton<SessionRefusals>();
    }
}
