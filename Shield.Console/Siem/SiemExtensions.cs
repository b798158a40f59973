using Microsoft.Extensions.Options;
using Shield.Console.Auditing;

namespace Shield.Console.Siem;

internal static class SiemExtensions
{
    /// <summary>Streaming the audit trail to SIEMs (<c>Shield:Siem</c>): the sinks' streamer and the feed they share, their status, metric and health.</summary>
    public static void AddSiem(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SiemOptions>().Bind(builder.Configuration.GetSection(SiemOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SiemOptions>, SiemOptionsValidator>();
        services.AddSingleton<SiemStatus>();
        services.AddSingleton<SiemFeed>();
        services.AddSingleton<IAuditCommitted>(provider => provider.GetRequiredService<SiemFeed>());
        services.AddHostedService<SiemStreamer>();
        services.AddSingleton<IAuditRetentionHold, SiemRetentionHold>();
        services.AddHealthChecks().AddCheck<SiemHealthCheck>("siem");
    }
}
