using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Shield.Core.Persistence;

/// <summary>The application services a context needs to build its model outside the console (for <c>dotnet ef</c>).</summary>
internal static class DesignTimeServices
{
    public static IServiceProvider Instance { get; } = new ServiceCollection()
        .Configure<IdentityOptions>(options => ShieldDbContext.PinIdentitySchema(options.Stores))
        .BuildServiceProvider();
}
