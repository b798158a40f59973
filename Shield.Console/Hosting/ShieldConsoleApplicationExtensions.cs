using Scalar.AspNetCore;
using Shield.Console.Accounts;
using Shield.Console.Api;
using Shield.Console.Approvals;
using Shield.Console.Auditing;
using Shield.Console.Authentication;
using Shield.Console.Components;
using Shield.Console.Posture;
using Shield.Console.Relay;
using Shield.Console.Security;
using Shield.Console.Sessions;

namespace Shield.Console.Hosting;

public static class ShieldConsoleApplicationExtensions
{
    private const string ApiReferencePath = "/scalar";

    /// <summary>The request pipeline and every endpoint: console pages, <c>/api</c>, the health endpoints, OpenAPI.</summary>
    public static WebApplication UseShieldConsole(this WebApplication app)
    {
        var authentication = app.Services.GetRequiredService<ApiAuthentication>();
        var development = app.Environment.IsDevelopment();
        var formActions = authentication.IsLocal ? [] : EntraFormActions(app.Configuration);
        var headers = new SecurityHeaders(SecurityHeaders.BuildPolicy(formActions), development ? ApiReferencePath : null);
        app.Use(headers.Apply);

        // In every environment, Development included: API errors become problem details (ApiExceptionHandler) and
        // page errors show the error page with a reference. Details go to the log, never to the browser.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        if (!development)
        {
            app.UseHsts();
            app.Use(HttpsRequirement.Apply);
        }

        // An empty error response becomes a page for people, or problem details for /api and /hubs (written first, so kept).
        app.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
        app.UseWhen(IsApi, api => api.UseStatusCodePages());

        app.UseRelayOrigins();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapShieldHealth();
        app.MapOpenApi("/openapi/{documentName}.json");
        if (development)
        {
            app.MapScalarApiReference(ApiReferencePath);
        }

        app.MapShieldApi(authentication);
        app.MapSessionsApi();
        app.MapRelay();
        app.MapApprovalsHub();
        app.MapAuditDownloads();
        app.MapPostureDownloads();
        app.MapAccountEndpoints(authentication);
        // SecurityHeaders already forbids framing; Blazor need not send a second, weaker policy.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs");

    private static string[] EntraFormActions(IConfiguration configuration) =>
        Uri.TryCreate(configuration[$"{EntraSignIn.SectionName}:Instance"] ?? "https://login.microsoftonline.com/", UriKind.Absolute, out var instance)
            ? [instance.GetLeftPart(UriPartial.Authority)]
            : [];
}
