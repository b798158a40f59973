using Bunit;
using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using Shield.Console.Authentication;

namespace Shield.Tests.Console.Components;

/// <summary>
/// bUnit with MudBlazor and the console's real authorization policies, for a signed-in person with the given roles.
/// </summary>
public abstract class ComponentTestContext : BunitContext
{
    protected ComponentTestContext()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var api = new ApiAuthentication(ApiAuthentication.Local, "Identity.Bearer", []);
        Services.AddSingleton(api);
        Services.AddAuthorizationCore(options => ShieldPolicies.Add(options, api));
        // The navigation's pending badge listens to the live approval feed.
        Services.AddLogging();
        Services.AddSignalR();
        Services.AddSingleton<Shield.Console.Approvals.ApprovalFeed>();
        // bUnit pre-registers a placeholder that refuses to authorize; the real policies decide here.
        Services.Replace(ServiceDescriptor.Transient<IAuthorizationService, DefaultAuthorizationService>());
    }

    /// <summary>Renders <typeparamref name="T"/> as seen by someone holding <paramref name="roles"/>.</summary>
    protected IRenderedComponent<CascadingAuthenticationState> RenderAs<T>(string[] roles, Action<ComponentParameterCollectionBuilder<T>>? parameters = null)
        where T : IComponent
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "someone@shield.test"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test");
        Services.Replace(ServiceDescriptor.Singleton<AuthenticationStateProvider>(new FixedAuthenticationState(new ClaimsPrincipal(identity))));
        return Render<CascadingAuthenticationState>(state => state.AddChildContent<T>(parameters ?? (_ => { })));
    }

    private sealed class FixedAuthenticationState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
