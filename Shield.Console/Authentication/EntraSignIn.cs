using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Shield.Console.Accounts;
using Shield.Console.Security;

namespace Shield.Console.Authentication;

/// <summary>
/// Sign-in with Microsoft Entra ID, chosen by the presence of an <c>AzureAd</c> section: OpenID Connect for people
/// in the console, Entra access tokens for <c>/api</c>. Roles are the app roles in the token (same names as locally).
/// </summary>
internal static class EntraSignIn
{
    public const string SectionName = "AzureAd";
    public const string SignInFailedPath = "/account/signin-failed";

    public static ApiAuthentication AddEntraSignIn(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SectionName);
        var services = builder.Services;
        services.AddOptions<EntraSettings>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EntraSettings>, EntraSettingsValidator>();
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddMicrosoftIdentityWebApp(section, OpenIdConnectDefaults.AuthenticationScheme, CookieAuthenticationDefaults.AuthenticationScheme);
        services.AddAuthentication()
            .AddMicrosoftIdentityWebApi(section, JwtBearerDefaults.AuthenticationScheme);

        services.Configure<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme, options =>
        {
            options.AccessDeniedPath = LocalAccountsExtensions.AccessDeniedPath;
            options.Cookie.Name = "shield.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurity.SecurePolicy(builder.Environment);
            // Lax, not Strict: the browser returns from Entra ID with a cross-site POST that must carry it.
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
        });

        // A sign-in that fails on the way back from Entra ID (expired, tampered or replayed) ends on a page that
        // says so, rather than on an error page.
        services.PostConfigure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
        {
            var previous = options.Events.OnRemoteFailure;
            options.Events.OnRemoteFailure = async context =>
            {
                await previous(context);
                if (context.Result is not { Handled: true })
                {
                    context.Response.Redirect(SignInFailedPath);
                    context.HandleResponse();
                }
            };
        });

        return new ApiAuthentication(ApiAuthentication.Entra, JwtBearerDefaults.AuthenticationScheme, []);
    }
}
