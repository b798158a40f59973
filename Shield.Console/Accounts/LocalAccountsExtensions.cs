using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Shield.Console.Authentication;
using Shield.Console.Security;
using Shield.Core.Accounts;
using Shield.Core.Persistence;

namespace Shield.Console.Accounts;

/// <summary>Sign-in with local accounts kept in Shield's own database (ASP.NET Core Identity).</summary>
internal static class LocalAccountsExtensions
{
    public const string LoginPath = "/account/login";
    public const string AccessDeniedPath = "/account/access-denied";

    public static ApiAuthentication AddLocalAccounts(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddBearerToken(IdentityConstants.BearerScheme, options => options.BearerTokenExpiration = TimeSpan.FromHours(1))
            .AddIdentityCookies();

        services.AddIdentityCore<ShieldUser>(options =>
            {
                PasswordPolicy.Apply(options);
                ShieldDbContext.PinIdentitySchema(options.Stores);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ShieldDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddOptions<SignInOptions>().Bind(builder.Configuration.GetSection(SignInOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SignInOptions>, SignInOptionsValidator>();
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton<UnknownAccountHash>();
        services.AddScoped<PasswordSignIn>();
        services.AddSingleton<RefreshTokens>();

        // A disabled account, or one whose roles or password changed, loses its console sign-in within a minute.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<TimeProvider>((options, time) =>
        {
            options.ValidationInterval = TimeSpan.FromMinutes(1);
            options.TimeProvider = time;
        });
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<TimeProvider>((options, time) => options.TimeProvider = time);
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = LoginPath;
            options.AccessDeniedPath = AccessDeniedPath;
            options.Cookie.Name = "shield.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurity.SecurePolicy(builder.Environment);
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
        });
        services.AddScoped<AuthenticationStateProvider, RevalidatingAccountStateProvider>();

        services.AddOptions<BootstrapOptions>().Bind(builder.Configuration.GetSection(BootstrapOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BootstrapOptions>, BootstrapOptionsValidator>();
        services.AddHostedService<AdminBootstrapper>();
        services.AddScoped<UserDirectory>();
        services.AddScoped<IAuthorizationHandler, ActiveAccountHandler>();

        return new ApiAuthentication(ApiAuthentication.Local, IdentityConstants.BearerScheme, [new ActiveAccountRequirement()]);
    }

    /// <summary>The protector of refresh tokens, to check one handed back to <c>/api/auth/refresh</c>.</summary>
    public static BearerTokenOptions BearerOptions(this IServiceProvider services) =>
        services.GetRequiredService<IOptionsMonitor<BearerTokenOptions>>().Get(IdentityConstants.BearerScheme);
}
