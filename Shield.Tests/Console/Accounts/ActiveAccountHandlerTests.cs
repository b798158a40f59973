using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Shield.Console.Accounts;

namespace Shield.Tests.Console.Accounts;

/// <summary>The account check costs nothing to requests whose policy does not ask for it, the relay's among them.</summary>
public sealed class ActiveAccountHandlerTests
{
    [Fact]
    public async Task APolicyWithoutTheActiveAccountRequirement_TakesNoAccountServices()
    {
        var handler = new ActiveAccountHandler(new NoServices());
        var context = new AuthorizationHandlerContext([new DenyAnonymousAuthorizationRequirement()], new ClaimsPrincipal(new ClaimsIdentity("SessionToken")), null);

        await handler.HandleAsync(context);

        Assert.False(context.HasFailed);
    }

    private sealed class NoServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => throw new InvalidOperationException($"{serviceType.Name} was asked for.");
    }
}
