using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Shield.Tests.Infrastructure;

namespace Shield.Tests.Console.Hosting;

/// <summary>How the console's shared services are set up for the person at the screen.</summary>
public sealed class ConsoleLayoutServicesTests(ShieldAppFactory app) : IClassFixture<ShieldAppFactory>
{
    [Fact]
    public void Notifications_RiseAtTheBottomLeft_AwayFromThePagesActionButtons()
    {
        // What the snackbar service of every circuit is built with.
        var configuration = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SnackbarConfiguration>>().Value;

        Assert.Equal(Defaults.Classes.Position.BottomLeft, configuration.PositionClass);
    }
}
