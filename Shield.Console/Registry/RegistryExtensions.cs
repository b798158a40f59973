using Microsoft.Extensions.Options;
using Shield.Console.Outbound;
using Shield.Core.Registry;

namespace Shield.Console.Registry;

internal static class RegistryExtensions
{
    /// <summary>The server registry, tool discovery (on demand and scheduled) and the review of tools.</summary>
    public static void AddRegistry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RegistryOptions>().Bind(builder.Configuration.GetSection(RegistryOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegistryOptions>, RegistryOptionsValidator>();
        services.AddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        // Every relayed call goes through this client: no per-request log scopes (telemetry traces the calls).
        services.AddHttpClient(UpstreamConnector.HttpClientName).RemoveAllLoggers().WithOutboundPolicy(builder.Configuration);
        services.AddSingleton<UpstreamConnector>();
        services.AddSingleton<ToolDiscoverer>();
        services.AddSingleton<DiscoveryService>();
        services.AddSingleton<DiscoveryQueue>();
        services.AddSingleton<ServerCatalog>();
        services.AddSingleton<ToolReview>();
        services.AddHostedService<DiscoveryRefresher>();
    }
}
