using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Shield.Console.Auditing;

internal static class AuditingExtensions
{
    /// <summary>
    /// The audit trail: its key, its one writer, the hold on governance changes until they are recorded, refusals and failures (<see cref="SecurityEvents"/>), verification
    /// and the health check. Register before anything that changes governance while starting (the policy file import).
    /// </summary>
    public static void AddAuditing(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuditOptions>().Bind(builder.Configuration.GetSection(AuditOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddSingleton<AuditKeyring>();
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<AuditWriter>());
        services.AddSingleton<IInterceptor, GovernanceAuditInterceptor>();
        services.AddSingleton<SecurityEvents>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<AuditSearch>();
        services.AddSingleton<AuditExporter>();
        services.AddSingleton<AuditRetention>();
        services.AddHostedService(provider => provider.GetRequiredService<AuditRetention>());
        services.AddHealthChecks().AddCheck<AuditHealthCheck>("audit");
    }
}
