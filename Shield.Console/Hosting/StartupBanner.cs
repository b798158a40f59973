using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Shield.Console.Authentication;

namespace Shield.Console.Hosting;

/// <summary>Prints where the console listens, once it does.</summary>
internal sealed partial class StartupBanner(
    IServer server,
    IHostApplicationLifetime lifetime,
    ApiAuthentication authentication,
    ILogger<StartupBanner> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                LogListening(logger, address.Replace("[::]", "localhost", StringComparison.Ordinal), authentication.Mode);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shield console is running at {Address} (sign-in: {Mode} accounts)")]
    private static partial void LogListening(ILogger logger, string address, string mode);
}
