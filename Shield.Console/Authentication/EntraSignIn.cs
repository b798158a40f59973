using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
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

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[$"{SectionName}:ClientId"]);

    public static ApiAuthentication AddEntraSignIn(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(SectionName);
        var services = builder.Services;
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

        return new ApiAuthentication(ApiAuthentication.Entra, JwtBearerDefaults.AuthenticationScheme, []);
    }
}
