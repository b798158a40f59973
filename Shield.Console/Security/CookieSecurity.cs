namespace Shield.Console.Security;

/// <summary>
/// Cookies are always HttpOnly and SameSite, and Secure everywhere but Development, where the console runs on
/// plain http://localhost. Behind a TLS-terminating proxy, forward the scheme (ASPNETCORE_FORWARDEDHEADERS_ENABLED).
/// </summary>
internal static class CookieSecurity
{
    public static CookieSecurePolicy SecurePolicy(IHostEnvironment environment) =>
        environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
}
