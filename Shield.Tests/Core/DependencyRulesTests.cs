using Shield.Core.Persistence;

namespace Shield.Tests.Core;

/// <summary>Shield.Core stays free of the web stack, the UI and the MCP transports.</summary>
public sealed class DependencyRulesTests
{
    [Fact]
    public void Core_ReferencesNoWebUiOrMcpTransportAssembly()
    {
        string[] forbidden =
        [
            "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Components", "Microsoft.AspNetCore.Mvc", "Microsoft.AspNetCore.Hosting",
            "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Authentication", "ModelContextProtocol", "MudBlazor", "Shield.Console",
        ];

        var referenced = typeof(ShieldDbContext).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(referenced, name => forbidden.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
        // The one ASP.NET-named reference is Identity's EF store, which itself needs only EF Core and Microsoft.Extensions.Identity.
        Assert.Equal(["Microsoft.AspNetCore.Identity.EntityFrameworkCore"], referenced.Where(n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)));
    }
}
