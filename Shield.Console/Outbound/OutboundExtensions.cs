using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Shield.Console.Outbound;

internal static class OutboundExtensions
{
    /// <summary>
    /// The client connects only to addresses the outbound policy allows, checked as each connection opens, follows no
    /// redirect and uses no proxy (a proxy would resolve names where Shield cannot check them).
    /// </summary>
    public static IHttpClientBuilder WithOutboundPolicy(this IHttpClientBuilder client, IConfiguration configuration)
    {
        var services = client.Services;
        services.AddOptions<OutboundOptions>().Bind(configuration.GetSection(OutboundOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OutboundOptions>, OutboundOptionsValidator>());
        services.TryAddSingleton<HostLookup>(Dns.GetHostAddressesAsync);
        services.TryAddSingleton<OwnEndpoints>();
        services.TryAddSingleton<OutboundGuard>();
        services.TryAddTransient<RedirectRefusal>();
        return client
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                ConnectCallback = provider.GetRequiredService<OutboundGuard>().ConnectAsync,
                AllowAutoRedirect = false,
                UseProxy = false,
            })
            .AddHttpMessageHandler<RedirectRefusal>();
    }
}
